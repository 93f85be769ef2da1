import Foundation
import HamletCore
import HamletTestSupport
import Testing

// Issue 11 items 1, 2 and 8 through the built binary: `hamlet import FOLDER`, sheets as
// clerks keep them (Chinese headers and cells, 元, Excel's dates), update and re-import,
// and a 身份证号 typed twice.

/// The shipped sample registers: `seeds/` at the repository root.
private let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("seeds").path

private func node(_ tmp: TempDir, _ name: String = "beizhao", village: String = "北赵") throws -> HamletDir {
    let dir = HamletDir(tmp.file(name))
    let r = try dir.run(["init", "--node", name, "--village", village])
    try #require(r.status == 0, "init: \(r)")
    return dir
}

private func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

/// The ids of a seed file's rows of one village, with their fields.
private func seedRows(_ table: String, village: String) throws -> [String: [String: String]] {
    let text = try String(contentsOfFile: (seeds as NSString).appendingPathComponent("\(table).csv"), encoding: .utf8)
    let csv = try CSVTable.read(text)
    var out: [String: [String: String]] = [:]
    for r in csv.rows where r.fields["village"] == village {
        out[r.fields["id"] ?? ""] = r.fields.filter { $0.key != "id" && !$0.value.isEmpty }
    }
    return out
}

private func report(_ r: ProcessResult) throws -> [String: Any] {
    try #require(try r.json() as? [String: Any], "\(r)")
}

@Suite("hamlet import (issue 11)", .serialized)
struct ImportCLITests {
    @Test("import seeds loads every row of the node's village, heads included, in one command; again: all unchanged")
    func seedsFolder() throws {
        let tmp = TempDir("import-seeds")
        defer { tmp.remove() }
        let dir = try node(tmp)
        let r = try dir.run(["import", seeds, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let first = try report(r)
        #expect(first["failed"] as? Int == 0 && (first["problems"] as? [Any])?.isEmpty == true)
        var expected = 0
        for t in ["households", "people", "events", "visits", "benefits", "pregnancies", "contraception"] {
            let want = try seedRows(t, village: "北赵")
            let have = try dir.rows(t)
            #expect(Set(have.keys) == Set(want.keys), "\(t): every 北赵 row, nothing else")
            for (id, fields) in want { #expect(have[id] == fields, "\(t) \(id)") }
            expected += want.count
        }
        #expect(first["added"] as? Int == expected)
        let others = try (["households", "people", "events", "visits", "benefits", "pregnancies", "contraception"].map {
            try CSVTable.read(String(contentsOfFile: (seeds as NSString).appendingPathComponent("\($0).csv"), encoding: .utf8)).rows.count
        }).reduce(0, +) - expected
        #expect(first["skipped_other_village"] as? Int == others)
        let heads = try dir.rows("households").values.compactMap { $0["head"] }
        #expect(heads.count == 36 && heads.allSatisfy { !$0.isEmpty }, "every household's head is set")
        let changes = try dir.log().count

        // Again: nothing to do, nothing written.
        let again = try dir.run(["import", seeds, "--lang", "zh"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("新增 0 条，更新 0 条，未变 \(expected) 条，失败 0 行"), "\(again.stdout)")
        #expect(again.stdout.contains("households.csv") && again.stdout.contains("婚育动态"))
        #expect(try dir.log().count == changes)
    }

    @Test("a folder with Chinese file names, headers and cells (女/男, 已婚, 1992/5/17, 金额（元）) imports; a changed cell updates")
    func chineseSheets() throws {
        let tmp = TempDir("import-zh")
        defer { tmp.remove() }
        let dir = try node(tmp)
        let wangID = Registry.nationalID(birth: "1992-05-17", sex: "F", sequence: 3)
        let liID = Registry.nationalID(birth: "1990-03-02", sex: "M", sequence: 4)
        let household = "018bcfe5-6800-7abc-8def-000000000001"
        let wang = "018bcfe5-6800-7abc-8def-000000000011"
        let folder = tmp.file("台账")
        try write("编号,地址,户主,联系电话\r\n\(household),北赵村三组12号,\(wang),0632-5123456\r\n", to: folder + "/户.csv")
        let people = """
            序号,编号,户,姓名,性别,出生日期,身份证号,婚姻状况
            1,\(wang),\(household),王秀英,女,1992/5/17,\(wangID),已婚
            2,,\(household),李强,男,1990年3月2日,\(liID),未婚

            """
        try write(people, to: folder + "/人口.csv")
        try write("人员,项目,金额（元）,状态,发放日期\n\(wang),独生子女父母奖励,960.5,已发放,2025/6/1\n", to: folder + "/奖扶.csv")

        let dry = try dir.run(["import", folder, "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("dry run (nothing written): 4 added"), "\(dry.stdout)")
        #expect(try dir.log().isEmpty, "--dry-run writes nothing")

        let r = try dir.run(["import", folder])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("imported: 4 added, 0 updated, 0 unchanged, 0 failed"), "\(r.stdout)")
        let rows = try dir.rows("people")
        #expect(rows[wang] == ["village": "北赵", "household": household, "name": "王秀英", "sex": "F", "birth_date": "1992-05-17",
                              "national_id": wangID, "marital_status": "married", "residence": "resident"])
        #expect(rows.values.contains { $0["name"] == "李强" && $0["sex"] == "M" && $0["birth_date"] == "1990-03-02" && $0["marital_status"] == "single" })
        #expect(try dir.rows("households")[household]?["head"] == wang)
        let benefit = try #require(try dir.rows("benefits").values.first)
        #expect(benefit["amount"] == "96050" && benefit["status"] == "paid" && benefit["paid_on"] == "2025-06-01")

        // The same files again: unchanged. One cell edited (李强 marries; no id: found by 身份证号): one updated.
        let again = try dir.run(["import", folder, "--json"])
        #expect(try report(again)["unchanged"] as? Int == 4)
        try write(people.replacingOccurrences(of: "\(liID),未婚", with: "\(liID),已婚"), to: folder + "/人口.csv")
        let edited = try report(try dir.run(["import", folder, "--json"]))
        #expect(edited["updated"] as? Int == 1 && edited["unchanged"] as? Int == 3 && edited["added"] as? Int == 0)
        #expect(try dir.rows("people").values.filter { $0["name"] == "李强" }.map { $0["marital_status"] } == ["married"])
        #expect(try dir.run(["import", "people", "--file", folder + "/人口.csv"]).stdout.contains("2 unchanged"), "--file still works")
    }

    @Test("sheets without ids name people and households as a clerk does (身份证号, 姓名, 地址); again: unchanged")
    func sheetsWithoutIDs() throws {
        let tmp = TempDir("import-noids")
        defer { tmp.remove() }
        let dir = try node(tmp)
        let wangID = Registry.nationalID(birth: "1992-05-17", sex: "F", sequence: 3)
        let folder = tmp.file("clerk")
        try write("地址,户主,联系电话\n北赵村三组12号,王秀英,13800000000\n", to: folder + "/户.csv")
        try write("户,姓名,性别,出生日期,身份证号\n三组12号,王秀英,女,1992/5/17,\(wangID)\n三组12号,李强,男,1990-03-02,\n", to: folder + "/人口.csv")
        try write("人员,类型,日期,结果\n\(wangID),产前检查,2025/6/1,正常\n李强,随访,2025-06-02,好\n", to: folder + "/随访.csv")
        let r = try dir.run(["import", folder, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try report(r)["added"] as? Int == 5)
        let people = try dir.rows("people")
        let wang = try #require(people.first { $0.value["name"] == "王秀英" }?.key)
        let household = try #require(try dir.rows("households").first?.key)
        #expect(try dir.rows("households")[household]?["head"] == wang)
        #expect(people.values.allSatisfy { $0["household"] == household })
        #expect(Set(try dir.rows("visits").values.compactMap { $0["person"] }) == Set(people.keys))
        let again = try report(try dir.run(["import", folder, "--json"]))
        #expect(again["unchanged"] as? Int == 5 && again["added"] as? Int == 0, "\(again)")
    }

    @Test("a folder of hub export --format xlsx files imports into a node whole (ids, references, heads), then unchanged")
    func xlsxExportsImport() throws {
        let tmp = TempDir("import-xlsx")
        defer { tmp.remove() }
        let hub = HamletDir(tmp.file("hub"))
        #expect(try hub.run(["hub", "init"]).status == 0)
        #expect(try hub.run(["seed", "--villages", "1", "--people", "20"]).status == 0)
        let folder = tmp.file("exports")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for t in ["households", "people", "events", "visits", "benefits"] {
            let r = try hub.run(["hub", "export", t, "--format", "xlsx"])
            try #require(r.status == 0, "\(r)")
            try r.stdoutData.write(to: URL(fileURLWithPath: folder + "/\(t).xlsx"))
        }
        let village = try #require(try hub.run(["hub", "export", "households"]).stdout.split(whereSeparator: \.isNewline).dropFirst().first?
            .split(separator: ",").dropFirst().first.map(String.init))
        let dir = try node(tmp, "n1", village: village)
        let first = try report(try dir.run(["import", folder, "--json"]))
        #expect(first["failed"] as? Int == 0 && (first["added"] as? Int ?? 0) > 50, "\(first)")
        let again = try report(try dir.run(["import", folder, "--json"]))
        #expect(again["unchanged"] as? Int == first["added"] as? Int && again["added"] as? Int == 0, "\(again)")
        #expect(try dir.rows("households").values.allSatisfy { $0["head"].map(isRowID) ?? true })
    }

    @Test("a bad row is reported as file:line with a Chinese reason under LANG=zh_CN.UTF-8; the rest go in")
    func badRowInChinese() throws {
        let tmp = TempDir("import-bad")
        defer { tmp.remove() }
        let dir = try node(tmp)
        let file = tmp.file("people.csv")
        try write("姓名,性别,出生日期\n张三,男,1980-01-01\n李四,女,1990-02-30\n王五,未知,1985-05-05\n", to: file)
        let r = try dir.run(["import", "people", "--file", file], env: ["LANG": "zh_CN.UTF-8"])
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr.contains("people.csv:3 [invalid-date] 出生日期「1990-02-30」：不是有效日期"), "\(r.stderr)")
        #expect(r.stderr.contains("people.csv:4 [invalid-enum] 性别「未知」：只能是 女、男 之一"), "\(r.stderr)")
        #expect(r.stderr.contains("2 行有问题"))
        #expect(r.stdout.contains("新增 1 条") && r.stdout.contains("失败 2 行"), "\(r.stdout)")
        #expect(try dir.rows("people").values.map { $0["name"] } == ["张三"])
        let en = try dir.run(["import", "people", "--file", file])
        #expect(en.stderr.contains("people.csv:3 [invalid-date] birth date \"1990-02-30\": is not a real date"), "\(en.stderr)")
        #expect(en.stdout.contains("1 unchanged"))
    }

    @Test("a 身份证号 a live person holds is refused at add, edit and import, naming that person; --force records it")
    func duplicateAtTheKeyboard() throws {
        let tmp = TempDir("import-dup")
        defer { tmp.remove() }
        let dir = try node(tmp)
        let id = Registry.nationalID(birth: "1990-03-02", sex: "F", sequence: 21)
        let household = try dir.run(["add", "household", "--address", "北赵村二组3号"]).line
        let first = try dir.run(["add", "person", "--name", "王秀英", "--sex", "F", "--birth-date", "1990-03-02",
                                 "--national-id", id, "--household", household]).line
        #expect(isRowID(first))
        let args = ["add", "person", "--name", "王秀音", "--sex", "女", "--birth-date", "1990/3/2", "--national-id", id]
        let refused = try dir.run(args, env: ["LANG": "zh_CN.UTF-8"])
        #expect(refused.status == 65, "\(refused)")
        #expect(refused.stderr.contains("error[duplicate-national-id]") && refused.stderr.contains("王秀英（北赵村二组3号）")
                && refused.stderr.contains(first) && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(try dir.rows("people").count == 1 && dir.log().count == 2, "nothing written")

        let forced = try dir.run(args + ["--force"])
        #expect(forced.status == 0 && isRowID(forced.line), "\(forced)")
        #expect(forced.stderr.contains("王秀英"), "says whose ID it is: \(forced.stderr)")
        #expect(try dir.rows("people").count == 2)

        let other = try dir.run(Registry.person("李娜", birth: "1985-01-01", sequence: 5)).line
        let edit = try dir.run(["edit", "person", other, "--national-id", id, "--birth-date", "1990-03-02"])
        #expect(edit.status == 65 && edit.stderr.contains("王秀英"), "\(edit)")

        // Import: a row giving another person's ID, and two rows with one ID.
        let file = tmp.file("people.csv")
        let third = Registry.nationalID(birth: "1970-06-06", sex: "M", sequence: 7)
        try write("编号,身份证号,出生日期\n\(other),\(id),1990-03-02\n", to: file)
        let imported = try dir.run(["import", "people", "--file", file], env: ["LANG": "zh_CN.UTF-8"])
        #expect(imported.status == 65 && imported.stderr.contains("people.csv:2 [duplicate-national-id]")
                && imported.stderr.contains("王秀英（北赵村二组3号）"), "\(imported.stderr)")
        try write("姓名,性别,出生日期,身份证号\n甲,男,1970-06-06,\(third)\n乙,男,1970-06-06,\(third)\n", to: file)
        let twice = try dir.run(["import", "people", "--file", file])
        #expect(twice.status == 65 && twice.stderr.contains("people.csv:3 [duplicate-national-id]")
                && twice.stderr.contains("people.csv line 2 (甲)"), "\(twice.stderr)")
        let fresh = try node(tmp, "b2")
        let both = try fresh.run(["import", "people", "--file", file, "--force"])
        #expect(both.status == 0 && both.stdout.contains("2 added"), "\(both)")
    }
}
