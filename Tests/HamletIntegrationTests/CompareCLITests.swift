import Foundation
import HamletCore
import HamletTestSupport
import Testing

// Issue 13 item 4 through the built binary: 比对 an outside list (as an office gets it: its own columns, dates
// as 1992/5/17) with the hub's register; read only; the result to a private file.

@Suite("比对 through the CLI (issue 13)")
struct CompareCLITests {
    @Test("hub compare lists a 身份证号 on the outside list but not in the register, people missing from the list and differing fields, and changes nothing")
    func compareAnOutsideList() throws {
        let tmp = TempDir("compare-cli")
        defer { tmp.remove() }
        let hub = HamletDir(tmp.file("hub"))
        try must(hub, ["hub", "init"])
        try must(hub, ["seed", "--villages", "2", "--people", "40"])
        let export = try hub.run(["hub", "export", "people", "--codes"])
        let table = try CSVTable.read(export.stdout)
        let people = table.rows.map(\.fields)
        #expect(people.count > 60)
        // The police list: everyone but the first two, one name written differently, and one newcomer.
        let newcomer = NationalID.make(region: 370481, birth: try #require(CalendarDate("1995-05-05")), sequence: 2)
        var lines = ["序号,姓名,性别,出生日期,身份证号码,民族"]
        for (i, p) in people.enumerated().dropFirst(2) where p["residence"] != "moved_out" {
            let birth = (p["birth_date"] ?? "").split(separator: "-").map { String(Int($0) ?? 0) }.joined(separator: "/")
            let name = i == 2 ? (p["name"] ?? "") + "某" : (p["name"] ?? "")
            lines.append("\(i),\(name),\(p["sex"] == "F" ? "女" : "男"),\(birth),\((p["national_id"] ?? "").replacingOccurrences(of: "'", with: "")),汉")
        }
        lines.append("999,新来的,女,1995/5/5,\(newcomer),汉")
        let list = tmp.file("公安户籍.csv")
        try lines.joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
        let before = try hub.run(["hub", "export", "people", "--codes"]).stdout

        let r = try hub.run(["hub", "compare", "--file", list, "--kind", "公安户籍", "--json", "--out", tmp.file("结果.xlsx")])
        #expect(r.status == 0, "\(r)")
        let result = try #require(try r.json() as? [String: Any])
        let missing = try #require(result["missing"] as? [[String: Any]])
        #expect(missing.map { $0["national_id"] as? String } == [newcomer], "\(missing)")
        let notInList = try #require(result["not_in_list"] as? [[String: Any]])
        #expect(Set(notInList.compactMap { $0["person"] as? String }).isSuperset(of: people.prefix(2).compactMap { $0["id"] }), "\(notInList)")
        let differences = try #require(result["differences"] as? [[String: Any]])
        #expect(differences.count == 1 && differences.first?["field"] as? String == "name", "\(differences)")
        let attributes = try FileManager.default.attributesOfItem(atPath: tmp.file("结果.xlsx"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600, "the result holds names and IDs: private")
        #expect(try hub.run(["hub", "export", "people", "--codes"]).stdout == before, "the register is unchanged")

        let zh = try hub.run(["hub", "compare", "--file", list], env: ["LANG": "zh_CN.UTF-8"])
        #expect(zh.stdout.contains("名单有、登记簿没有（可能漏报）：1 人") && zh.stdout.contains(newcomer), "\(zh.stdout)")
        let noID = tmp.file("bad.csv")
        try "姓名,性别\n王芳,女\n".write(toFile: noID, atomically: true, encoding: .utf8)
        let refused = try hub.run(["hub", "compare", "--file", noID], env: ["LANG": "zh_CN.UTF-8"])
        #expect(refused.status == 65 && refused.stderr.contains("身份证号"), "\(refused)")
    }
}
