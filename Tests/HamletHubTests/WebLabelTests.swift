import Foundation
import HamletCore
@testable import HamletHub
import HamletStore
import HamletTestSupport
import Testing

/// The operator page names referenced rows as the CLI does (issue 11, item 5):
/// a person by 姓名 and the ID's last 4, a household by its address; the id on hover.
@Suite(.serialized)
struct WebLabelTests {
    @Test func referencesShowLabelsNotHexStubs() throws {
        let f = try WebFixture()
        let s = f.scenario
        let c = f.client()
        let brideID = NationalID.make(region: 130123, birth: try #require(CalendarDate(year: 1990, month: 3, day: 12)), sequence: 24)
        let bride = "王秀英 *" + brideID.suffix(4)

        // 户主 on a household's record: the person, not a hex stub.
        let household = try c.get("/history/households/\(s.southHousehold)")
        #expect(household.status == 200)
        #expect(household.text.contains(">\(bride)</a>") && household.text.contains("title=\"\(s.brideAgain)\""), "\(household.text)")
        #expect(!household.text.contains(">\(s.brideAgain.suffix(8))</a>"))

        // 户 on a person's record: the address.
        let person = try c.get("/history/people/\(s.person)")
        #expect(person.text.contains("title=\"\(s.household)\"") && !person.text.contains(">\(s.household.suffix(8))</a>"), "\(person.text)")
        #expect(person.text.contains("北赵村一组"))

        // 人员 on an event, and the duplicate's two rows, told apart by the ID's last 4.
        let event = try c.get("/history/events/\(s.event)")
        #expect(event.text.contains(">\(bride)</a>"), "\(event.text)")
        let duplicate = try c.get("/conflicts/\(s.duplicateConflict)")
        #expect(duplicate.text.contains(bride), "\(duplicate.text)")
        #expect(try c.get("/").text.contains(bride), "the conflict list names rows the same way")
    }
}
