import Foundation
import HamletCore
import HamletTestSupport
import Testing

// Issue 12 (register v2) through the built binary: the 育龄妇女 card as a clerk keeps it —
// mothers and children with a derived 孩次, 孕情 closed by the birth, 节育措施, 查环 rounds
// and 奖扶 with a period and a payee — and the entries the register refuses.

private func node(_ tmp: TempDir) throws -> HamletDir {
    let dir = HamletDir(tmp.file("beizhao"))
    let r = try dir.run(["init", "--node", "beizhao", "--village", "北赵"])
    try #require(r.status == 0, "init: \(r)")
    return dir
}

@discardableResult
private func ok(_ dir: HamletDir, _ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let r = try dir.run(args)
    try #require(r.status == 0, "\(args.joined(separator: " ")): \(r)", sourceLocation: sourceLocation)
    return r.line
}

/// A refused command: exit 65, a Chinese message holding every `expected` piece, and nothing changed.
private func refused(_ dir: HamletDir, _ args: [String], saying expected: [String],
                     sourceLocation: SourceLocation = #_sourceLocation) throws {
    let before = try dir.fingerprint() + dir.run(["list", "pregnancies", "--json"]).stdout + dir.run(["list", "contraception", "--json"]).stdout
    let r = try dir.run(args + ["--lang", "zh"])
    #expect(r.status == 65, "\(args.joined(separator: " ")): \(r)", sourceLocation: sourceLocation)
    for piece in expected { #expect(r.stderr.contains(piece), "\(piece) in \(r.stderr)", sourceLocation: sourceLocation) }
    #expect(r.stderr.contains("没有做任何修改"), "\(r.stderr)", sourceLocation: sourceLocation)
    let after = try dir.fingerprint() + dir.run(["list", "pregnancies", "--json"]).stdout + dir.run(["list", "contraception", "--json"]).stdout
    #expect(before == after, "nothing changed", sourceLocation: sourceLocation)
}

@Suite("Register v2 through the CLI (issue 12)", .serialized)
struct RegisterV2CLITests {
    @Test("help: add person takes --mother and --father; add pregnancy and add contraception exist in zh and en")
    func help() throws {
        let person = try Hamlet.run(["help", "add", "person", "--lang", "zh"])
        #expect(person.status == 0 && person.stdout.contains("--mother") && person.stdout.contains("--father"), "\(person)")
        #expect(person.stdout.contains("母亲"))
        let pregnancy = try Hamlet.run(["help", "add", "pregnancy", "--lang", "zh"])
        #expect(pregnancy.status == 0, "\(pregnancy)")
        for flag in ["--woman", "--found-on", "--expected-on", "--responsible", "--status", "--end-kind", "--ended-on", "--child"] {
            #expect(pregnancy.stdout.contains(flag), "\(flag)")
        }
        #expect(pregnancy.stdout.contains("孕情") && pregnancy.stdout.contains("责任人"))
        let contraception = try Hamlet.run(["help", "add", "contraception", "--lang", "en"])
        #expect(contraception.status == 0, "\(contraception)")
        for flag in ["--person", "--method", "--since", "--until", "--responsible", "--status"] {
            #expect(contraception.stdout.contains(flag), "\(flag)")
        }
    }

    @Test("a pregnancy, a contraception method, a 查环 visit with its round and a v2 benefit are taken as a clerk types them")
    func newTablesAndFields() throws {
        let tmp = TempDir("v2-tables")
        defer { tmp.remove() }
        let dir = try node(tmp)
        let household = try ok(dir, ["add", "household", "--address", "北赵村三组12号"])
        let wang = try ok(dir, Registry.person("王丽", birth: "1992-05-17", household: household) + ["--marital-status", "已婚"])
        let elder = try ok(dir, Registry.person("赵德明", sex: "M", birth: "1958-02-03", sequence: 40, household: household))

        let pregnancy = try ok(dir, ["add", "pregnancy", "--woman", "王丽", "--found-on", "2025/4/1", "--expected-on", "2025年12月20日",
                                     "--responsible", "程静"])
        let p = try #require(try dir.rows("pregnancies")[pregnancy])
        #expect(p == ["village": "北赵", "woman": wang, "found_on": "2025-04-01", "expected_on": "2025-12-20",
                      "responsible": "程静", "status": "ongoing"])

        let method = try ok(dir, ["add", "contraception", "--person", "王丽", "--method", "上环", "--since", "2020-03-05",
                                  "--responsible", "程静"])
        #expect(try dir.rows("contraception")[method] == ["village": "北赵", "person": wang, "method": "iud", "since": "2020-03-05",
                                                           "responsible": "程静", "status": "active"])

        let visit = try ok(dir, ["add", "visit", "--person", "王丽", "--kind", "查环", "--date", "2025-03-12", "--round", "2025年3月",
                                 "--result", "环位正常"])
        #expect(try dir.rows("visits")[visit] == ["village": "北赵", "person": wang, "kind": "ring_check", "date": "2025-03-12",
                                                   "round": "2025年3月", "result": "环位正常"])

        let benefit = try ok(dir, ["add", "benefit", "--person", "赵德明", "--program", "国家奖扶", "--amount", "96000",
                                   "--period", "2025", "--payee", "王丽", "--lifecycle", "新增", "--account-last4", "0571",
                                   "--status", "已发放", "--paid-on", "2025-06-30"])
        #expect(try dir.rows("benefits")[benefit] == ["village": "北赵", "person": elder, "program": "国家奖扶", "amount": "96000",
                                                       "period": "2025", "payee": wang, "lifecycle": "new", "account_last4": "0571",
                                                       "status": "paid", "paid_on": "2025-06-30"])
        // 退出 needs its reason.
        try refused(dir, ["add", "benefit", "--person", "赵德明", "--program", "国家奖扶", "--amount", "0", "--period", "2026",
                          "--lifecycle", "退出"], saying: ["退出原因"])
        let list = try dir.run(["list", "pregnancies", "--lang", "zh"])
        #expect(list.stdout.contains("王丽") && list.stdout.contains("孕期中") && list.stdout.contains("程静"), "\(list)")
    }

    @Test("a mother younger than 12, a child born before its mother, an unknown program or method: exit 65 in Chinese, nothing changed")
    func badInput() throws {
        let tmp = TempDir("v2-refused")
        defer { tmp.remove() }
        let dir = try node(tmp)
        let household = try ok(dir, ["add", "household", "--address", "北赵村一组3号"])
        try ok(dir, Registry.person("李娟", birth: "1990-08-03", household: household))
        // Eleven when the child was born, and a child born before her mother.
        for birth in ["2002-03-01", "1985-01-01"] {
            try refused(dir, ["add", "person", "--name", "马思琪", "--sex", "女", "--birth-date", birth, "--mother", "李娟",
                              "--household", household], saying: ["母亲", "李娟", "12 岁"])
        }
        let child = try ok(dir, ["add", "person", "--name", "马思琪", "--sex", "女", "--birth-date", "2013-02-09", "--mother", "李娟",
                                 "--household", household])
        // Editing the child's birth date back before the mother's is refused the same way.
        try refused(dir, ["edit", "person", child, "--birth-date", "1989-12-31"], saying: ["母亲", "12 岁"])
        try refused(dir, ["add", "benefit", "--person", "李娟", "--program", "奖扶金", "--amount", "12000"],
                    saying: ["奖扶金", "国家奖扶、省级奖扶、独生子女父母奖励、特别扶助、其他"])
        try refused(dir, ["add", "contraception", "--person", "李娟", "--method", "节育环", "--since", "2014-01-01"],
                    saying: ["节育环", "上环、结扎、皮埋、药具、其他"])
        try refused(dir, ["add", "pregnancy", "--woman", "李娟", "--found-on", "2025-01-01", "--status", "已终止"],
                    saying: ["终止方式"])
    }

    @Test("show person: a woman's children with their 孩次 (twins consecutive), a child's own 孩次; zh, en and --json")
    func birthOrderInShow() throws {
        let tmp = TempDir("v2-order")
        defer { tmp.remove() }
        let dir = try node(tmp)
        let household = try ok(dir, ["add", "household", "--address", "北赵村二组5号"])
        let mother = try ok(dir, Registry.person("侯娟", birth: "1989-08-03", household: household))
        func child(_ name: String, _ sex: String, _ birth: String) throws -> String {
            try ok(dir, ["add", "person", "--name", name, "--sex", sex, "--birth-date", birth, "--mother", mother, "--household", household])
        }
        // Entered out of order: 孩次 follows the birth dates, not the typing.
        let third = try child("马浩然", "M", "2019-06-01")
        let first = try child("马思琪", "F", "2013-02-09")
        let twinB = try child("马嘉乐", "M", "2015-12-12")
        let twinA = try child("马嘉欣", "F", "2015-12-12")
        let (a, b) = twinA < twinB ? (twinA, twinB) : (twinB, twinA)

        let zh = try dir.run(["show", "person", mother, "--lang", "zh"])
        #expect(zh.status == 0, "\(zh)")
        let lines = zh.stdout.split(separator: "\n").map(String.init)
        let rows = ["马思琪", "马嘉乐", "马嘉欣", "马浩然"].compactMap { name in lines.first { $0.contains(name) } }
        #expect(rows.count == 4)
        #expect(zh.stdout.contains("孩次由台账推算"))
        #expect(rows.first { $0.contains("马思琪") }?.hasPrefix("一孩") == true, "\(zh.stdout)")
        #expect(rows.first { $0.contains("马浩然") }?.hasPrefix("四孩（多孩）") == true, "\(zh.stdout)")
        #expect(rows.filter { $0.contains("双胞胎") }.count == 2)

        let own = try dir.run(["show", "person", third, "--lang", "zh"])
        #expect(own.stdout.contains("孩次：四孩（多孩）") && own.stdout.contains("侯娟") && own.stdout.contains("第 4 个孩子，共 4 个"), "\(own)")
        let en = try dir.run(["show", "person", first, "--lang", "en"])
        #expect(en.stdout.contains("Birth order: 1st; child 1 of 4 of mother 侯娟"), "\(en)")

        let json = try #require(try dir.run(["show", "person", mother, "--json"]).json() as? [String: Any])
        let children = try #require(json["children"] as? [[String: Any]])
        #expect(children.map { $0["id"] as? String } == [first, a, b, third])
        #expect(children.map { $0["order"] as? Int } == [1, 2, 3, 4])
        #expect(children.map { $0["category"] as? String } == ["first", "second", "higher", "higher"])
        #expect(children.map { $0["multiple_birth"] as? Bool } == [false, true, true, false])
        #expect(json["birth_order"] == nil, "the mother has no mother here")
        let childJSON = try #require(try dir.run(["show", "person", b, "--json"]).json() as? [String: Any])
        let order = try #require(childJSON["birth_order"] as? [String: Any])
        #expect(order["order"] as? Int == 3 && order["of"] as? Int == 4 && order["multiple_birth"] as? Bool == true)
        #expect(childJSON["children"] == nil || (childJSON["children"] as? [Any])?.isEmpty == true)
    }

    @Test("recording the child's birth closes the mother's ongoing pregnancy in the same transaction, as an ordinary pending change")
    func birthClosesThePregnancy() throws {
        let tmp = TempDir("v2-birth")
        defer { tmp.remove() }
        let dir = try node(tmp)
        let household = try ok(dir, ["add", "household", "--address", "北赵村三组7号"])
        let mother = try ok(dir, Registry.person("刘梦琪", birth: "1996-02-21", household: household))
        let pregnancy = try ok(dir, ["add", "pregnancy", "--woman", "刘梦琪", "--found-on", "2025-03-01", "--responsible", "程静"])
        // A second ongoing pregnancy is impossible (逻辑核查 two-ongoing-pregnancies): refused, nothing written.
        let second = try dir.run(["add", "pregnancy", "--woman", "刘梦琪", "--found-on", "2025-12-20", "--lang", "zh"])
        #expect(second.status == 65 && second.stderr.contains("[two-ongoing-pregnancies]") && second.stderr.contains("2025-03-01"), "\(second)")
        let changes = try dir.log().count

        let r = try dir.run(["add", "person", "--name", "杨紫萱", "--sex", "女", "--birth-date", "2025-11-20", "--mother", "刘梦琪",
                             "--household", household, "--lang", "zh"])
        #expect(r.status == 0, "\(r)")
        let child = r.line
        #expect(isRowID(child), "stdout holds only the new id: \(r.stdout)")
        #expect(r.stderr.contains("刘梦琪") && r.stderr.contains("记为已生育") && r.stderr.contains("杨紫萱")
                && r.stderr.contains("2025-11-20"), "\(r.stderr)")

        let rows = try dir.rows("pregnancies")
        #expect(rows[pregnancy] == ["village": "北赵", "woman": mother, "found_on": "2025-03-01", "responsible": "程静",
                                    "status": "born", "child": child, "ended_on": "2025-11-20"])

        // Two ordinary pending changes: the child, then the pregnancy's three fields.
        let log = try dir.log()
        #expect(log.count == changes + 2)
        let last = try #require(log.last)
        #expect(last["table"] as? String == "pregnancies" && last["row"] as? String == pregnancy && last["state"] as? String == "pending")
        #expect(Set((last["values"] as? [String: Any] ?? [:]).keys) == ["status", "child", "ended_on"])
        #expect(log[log.count - 2]["row"] as? String == child)

        // A twin born the same day finds the pregnancy closed already: nothing more changes.
        let twin = try dir.run(["add", "person", "--name", "杨紫涵", "--sex", "女", "--birth-date", "2025-11-20", "--mother", mother,
                                "--household", household, "--json"])
        #expect(twin.status == 0 && twin.stderr.isEmpty, "\(twin)")
        let twinJSON = try #require(try twin.json() as? [String: Any])
        #expect(twinJSON["closed_pregnancy"] == nil)
        #expect(try dir.log().count == changes + 3)
        #expect(try dir.rows("pregnancies")[pregnancy]?["child"] == child)

        // --json names the pregnancy it closed.
        let again = try ok(dir, ["add", "pregnancy", "--woman", mother, "--found-on", "2026-01-10"])
        let third = try dir.run(["add", "person", "--name", "杨浩", "--sex", "男", "--birth-date", "2026-01-30", "--mother", mother,
                                 "--household", household, "--json"])
        let thirdJSON = try #require(try third.json() as? [String: Any], "\(third)")
        #expect(thirdJSON["closed_pregnancy"] as? String == again)
        #expect(try dir.rows("pregnancies")[again]?["status"] == "born")
    }
}
