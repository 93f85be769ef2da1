import Foundation
import HamletCore
@testable import HamletHub
import HamletStore
import HamletTestSupport
import Testing

/// Issue 16, item 4: the operator page's CSV links neutralise names a spreadsheet would run as formulas, as
/// `hamlet hub export` does; a whole number in an integer field is a number, written as is.
@Suite(.serialized)
struct WebFormulaExportTests {
    static let names = ["=cmd|' /C calc'!A0", "@SUM(1+1)", "=HYPERLINK(\"http://x\")"]

    @Test func pageCSVNeutralisesFormulaNamesAndReadsBackExactly() throws {
        let f = try WebFixture()
        let store = try f.scenario.openStore()
        var rng = SystemRandomNumberGenerator()
        var ids: [String: String] = [:]
        let rows: [(String, Fields)] = Self.names.enumerated().map { k, name in
            let id = RowID.make(unixMillis: wallMillisNow(), using: &rng)
            ids[id] = name
            return (id, ["village": .text("北赵"), "name": .text(name), "sex": .text("F"), "birth_date": .text("1990-03-1\(k)")])
        }
        try store.load(table: "people", rows: rows, action: OperatorAction(name: "测试", wallMillis: wallMillisNow()))
        store.close()
        for (path, column) in [("/export/people.csv", "姓名"), ("/export/people.csv?codes=1", "name")] {
            let table = try CSVTable.read(bytes: try f.client().get(path).body)
            for (id, name) in ids {
                let row = try #require(table.rows.first { $0.fields[column == "name" ? "id" : "编号"] == id })
                let cell = try #require(row.fields[column])
                #expect(cell == "'" + name, "\(path): \(name)")
                #expect(FormulaGuard.restored(cell) == name)
            }
        }
    }

    @Test func integerFieldsKeepTheirSignTextFieldsAreGuarded() throws {
        let benefits = try #require(Schema.register.table(named: "benefits"))
        let row = HubRow(table: "benefits", id: "018bcfe5-6800-7abc-8def-0123456789ab",
                         values: ["amount": .integer(-5), "period": .text("-5"), "village": .text("北赵")], versions: [:], hseq: 1)
        let table = try CSVTable.read(RegisterExport.csv(benefits, [row]))
        let cells = try #require(table.rows.first?.fields)
        #expect(cells["amount"] == "-5", "a number in an integer field is a number")
        #expect(cells["period"] == "'-5", "the same text in a text field is guarded")
    }
}
