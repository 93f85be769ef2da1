import Foundation
import HamletCore
import HamletTestSupport
import Testing

// Issue 11, items 4–6, through the built binary: references by what a clerk
// knows, rows shown by their labels, --where operators, sorting before the limit.

/// A node with two households and three people: two 王秀英 (told apart by
/// their IDs and households) and one 张丽.
private struct Village {
    let dir: HamletDir
    let threeTwelve: String
    let fiveThree: String
    let wangOld: String
    let wangYoung: String
    let zhang: String
    let wangOldID = Registry.nationalID(birth: "1962-04-03", sex: "F", sequence: 11)
    let wangYoungID = Registry.nationalID(birth: "1990-03-02", sex: "F", sequence: 12)

    init(_ tmp: TempDir) throws {
        dir = HamletDir(tmp.file("beizhao"))
        try Self.ok(dir, ["init", "--node", "beizhao", "--village", "北赵"])
        threeTwelve = try Self.ok(dir, ["add", "household", "--address", "北赵村三组12号"])
        fiveThree = try Self.ok(dir, ["add", "household", "--address", "北赵村五组3号"])
        wangOld = try Self.ok(dir, Registry.person("王秀英", birth: "1962-04-03", sequence: 11) + ["--household", "三组12号"])
        wangYoung = try Self.ok(dir, Registry.person("王秀英", birth: "1990-03-02", sequence: 12) + ["--household", "五组3号"])
        zhang = try Self.ok(dir, Registry.person("张丽", birth: "1985-07-15", withID: false) + ["--household", fiveThree])
    }

    /// Runs a command that must succeed; its trimmed stdout.
    @discardableResult
    static func ok(_ dir: HamletDir, _ args: [String], env: [String: String] = [:],
                   sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try dir.run(args, env: env)
        try #require(r.status == 0, "\(args.joined(separator: " ")): \(r)", sourceLocation: sourceLocation)
        return r.line
    }

    @discardableResult
    func ok(_ args: [String], env: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try Self.ok(dir, args, env: env, sourceLocation: sourceLocation)
    }
}

private let zh = ["LANG": "zh_CN.UTF-8"]

/// The widest line of a text in terminal cells.
private func widestLine(_ text: String) -> Int {
    text.split(separator: "\n").map { terminalCells(String($0)) }.max() ?? 0
}

@Suite("References by what a clerk knows, labels, --where, sorting (separate processes)", .serialized)
struct ReferenceCLITests {
    @Test("--person, --household and --head take a 身份证号, a name, an address or 8+ characters of an id")
    func referenceFlags() throws {
        let tmp = TempDir("refs-flags")
        defer { tmp.remove() }
        let v = try Village(tmp)
        let people = try v.dir.rows("people")
        #expect(people[v.wangOld]?["household"] == v.threeTwelve && people[v.wangYoung]?["household"] == v.fiveThree,
                "households named by part of the address")

        let byName = try v.ok(["add", "event", "--person", "张丽", "--kind", "出生", "--date", "2024-01-01"])
        let byID = try v.ok(["add", "event", "--person", v.wangYoungID, "--kind", "marriage", "--date", "2015-05-01"])
        let byTail = try v.ok(["add", "visit", "--person", "王秀英*" + String(v.wangOldID.suffix(4)), "--kind", "体检", "--date", "2024-05-01"])
        let bySuffix = try v.ok(["add", "visit", "--person", String(v.zhang.suffix(8)), "--kind", "随访", "--date", "2024-06-01"])
        let byPrefix = try v.ok(["add", "visit", "--person", String(v.wangYoung.prefix(28)).uppercased(), "--kind", "follow_up", "--date", "2024-06-02"])
        let byUUID = try v.ok(["add", "visit", "--person", v.wangOld, "--kind", "follow_up", "--date", "2024-06-03"])
        let events = try v.dir.rows("events")
        let visits = try v.dir.rows("visits")
        #expect(events[byName]?["person"] == v.zhang && events[byID]?["person"] == v.wangYoung)
        #expect(visits[byTail]?["person"] == v.wangOld && visits[bySuffix]?["person"] == v.zhang)
        #expect(visits[byPrefix]?["person"] == v.wangYoung && visits[byUUID]?["person"] == v.wangOld)

        try v.ok(["edit", "household", "三组12号", "--head", v.wangOldID])
        #expect(try v.dir.rows("households")[v.threeTwelve]?["head"] == v.wangOld, "edit's own row and --head both by what the clerk knows")
        try v.ok(["add", "benefit", "--household", "北赵村五组3号", "--program", "独生子女父母奖励", "--amount", "12000", "--status", "eligible"])
        // show, edit and delete take the same forms for the row itself.
        #expect(try v.dir.run(["show", "person", "张丽"]).stdout.contains(v.zhang))
        try v.ok(["edit", "person", v.wangYoungID, "--phone", "13900000000"])
        #expect(try v.dir.rows("people")[v.wangYoung]?["phone"] == "13900000000")
        try v.ok(["delete", "visit", String(byUUID.suffix(8))])
        #expect(try v.dir.rows("visits")[byUUID] == nil)
        // An empty value still clears a reference.
        try v.ok(["edit", "household", v.threeTwelve, "--head", ""])
        #expect(try v.dir.rows("households")[v.threeTwelve]?["head"] == nil)
    }

    @Test("an ambiguous name lists the candidates and says how to choose (exit 65); no row, exit 65; nothing changes")
    func ambiguousAndMissing() throws {
        let tmp = TempDir("refs-ambiguous")
        defer { tmp.remove() }
        let v = try Village(tmp)
        let before = try v.dir.fingerprint()
        let oldTail = String(v.wangOldID.suffix(4))
        let youngTail = String(v.wangYoungID.suffix(4))

        let zhRun = try v.dir.run(["add", "event", "--person", "王秀英", "--kind", "出生", "--date", "2024-01-01"], env: zh)
        #expect(zhRun.status == 65 && zhRun.stdout.isEmpty, "\(zhRun)")
        #expect(zhRun.stderr.hasPrefix("error[ambiguous-reference]: 「王秀英」对应 2 个"), "\(zhRun.stderr)")
        let lines = zhRun.stderr.split(separator: "\n").map(String.init)
        let first = try #require(lines.first { $0.hasPrefix("  1. ") })
        let second = try #require(lines.first { $0.hasPrefix("  2. ") })
        for (line, birth, tail, address, id) in [(first, "1962-04-03", oldTail, "北赵村三组12号", v.wangOld),
                                                 (second, "1990-03-02", youngTail, "北赵村五组3号", v.wangYoung)] {
            #expect(line.contains("王秀英") && line.contains(birth) && line.contains("*" + tail) && line.contains(address)
                    && line.contains("#" + id.suffix(8)), "name, birth date, ID tail, household, short id: \(line)")
        }
        #expect(zhRun.stderr.contains("提示：") && zhRun.stderr.contains("身份证号") && zhRun.stderr.contains("--person '王秀英*\(oldTail)'"),
                "\(zhRun.stderr)")

        let enRun = try v.dir.run(["add", "event", "--person", "王秀英", "--kind", "birth", "--date", "2024-01-01"])
        #expect(enRun.status == 65 && enRun.stderr.hasPrefix("error[ambiguous-reference]: \"王秀英\" matches 2"), "\(enRun)")
        #expect(enRun.stderr.contains("hint: name one row by national ID"))

        let household = try v.dir.run(["add", "person", "--name", "李四", "--sex", "M", "--birth-date", "1990-01-01", "--household", "北赵村"])
        #expect(household.status == 65 && household.stderr.contains("北赵村三组12号") && household.stderr.contains("北赵村五组3号"), "\(household)")

        for args in [["add", "event", "--person", "李四", "--kind", "birth", "--date", "2024-01-01"],
                     ["add", "event", "--person", Registry.nationalID(birth: "1970-01-01", sex: "M"), "--kind", "birth", "--date", "2024-01-01"],
                     ["add", "event", "--person", "0123abcd", "--kind", "birth", "--date", "2024-01-01"],
                     ["add", "person", "--name", "李四", "--sex", "M", "--birth-date", "1990-01-01", "--household", "南赵村"]] {
            let r = try v.dir.run(args, env: zh)
            #expect(r.status == 65 && r.stderr.hasPrefix("error[missing-reference]: 本村没有与「"), "\(args): \(r)")
            #expect(r.stderr.contains("hamlet list"), "says where to look: \(r.stderr)")
        }
        // The row a command acts on: not found is exit 66, as for a whole id.
        let show = try v.dir.run(["show", "person", "李四"])
        #expect(show.status == 66 && show.stderr.hasPrefix("error[not-found]: "), "\(show)")
        let ambiguousShow = try v.dir.run(["edit", "person", "王秀英", "--phone", "13900000000"])
        #expect(ambiguousShow.status == 65 && ambiguousShow.stderr.hasPrefix("error[ambiguous-reference]"), "\(ambiguousShow)")
        #expect(try v.dir.fingerprint() == before, "nothing changed")
    }

    @Test("list, show and log show names and addresses, enum labels under Chinese; --codes and --json keep codes and ids")
    func labelsNotUUIDs() throws {
        let tmp = TempDir("refs-labels")
        defer { tmp.remove() }
        let v = try Village(tmp)
        try v.ok(["edit", "household", "三组12号", "--head", v.wangOldID])
        let event = try v.ok(["add", "event", "--person", v.wangYoungID, "--kind", "marriage", "--date", "2015-05-01"])
        try v.ok(["add", "event", "--person", "张丽", "--kind", "birth", "--date", "2024-01-01"])
        // Two people with one name and no ID: only there does the short id appear.
        let li1 = try v.ok(Registry.person("李娜", withID: false))
        let li2 = try v.ok(Registry.person("李娜", birth: "1991-01-01", withID: false))
        try v.ok(["add", "visit", "--person", String(li1.suffix(8)), "--kind", "prenatal", "--date", "2024-01-01"])
        try v.ok(["add", "visit", "--person", String(li2.suffix(8)), "--kind", "prenatal", "--date", "2024-01-02"])
        let youngLabel = "王秀英 *" + v.wangYoungID.suffix(4)

        let zhEvents = try v.dir.run(["list", "events"], env: zh)
        #expect(zhEvents.status == 0)
        #expect(zhEvents.stdout.contains(youngLabel) && zhEvents.stdout.contains("张丽"), "\(zhEvents.stdout)")
        #expect(zhEvents.stdout.contains("结婚") && zhEvents.stdout.contains("出生") && !zhEvents.stdout.contains("marriage"))
        for id in [v.wangYoung, v.zhang] { #expect(!zhEvents.stdout.contains(id) && !zhEvents.stdout.contains(id.suffix(8))) }
        let enEvents = try v.dir.run(["list", "events"])
        #expect(enEvents.stdout.contains(youngLabel) && enEvents.stdout.contains("marriage"), "codes under English: \(enEvents.stdout)")
        let households = try v.dir.run(["list", "households"], env: zh)
        #expect(households.stdout.contains("王秀英 *" + v.wangOldID.suffix(4)), "the head by name: \(households.stdout)")
        let people = try v.dir.run(["list", "people", "--all"], env: zh)
        #expect(people.stdout.contains("女") && people.stdout.contains("常住") && !people.stdout.contains("resident"))
        let visits = try v.dir.run(["list", "visits"], env: zh)
        #expect(visits.stdout.contains("李娜 #" + li1.suffix(8)) && visits.stdout.contains("李娜 #" + li2.suffix(8)), "\(visits.stdout)")
        #expect(visits.stdout.contains("产前检查"))

        let codes = try v.dir.run(["list", "events", "--codes"], env: zh)
        #expect(codes.stdout.contains(v.wangYoung) && codes.stdout.contains("marriage") && codes.stdout.contains(event), "\(codes.stdout)")
        let json = try v.dir.run(["list", "events", "--json"], env: zh)
        let rows = try #require(try json.json() as? [[String: Any]], "an array when nothing was cut")
        let values = try #require(rows.first { $0["id"] as? String == event }?["values"] as? [String: Any])
        #expect(values["person"] as? String == v.wangYoung && values["kind"] as? String == "marriage")

        let show = try v.dir.run(["show", "event", String(event.suffix(8))], env: zh)
        #expect(show.status == 0 && show.stdout.contains(youngLabel) && show.stdout.contains("结婚") && show.stdout.contains(event), "\(show)")
        let showCodes = try v.dir.run(["show", "event", event, "--codes"])
        #expect(showCodes.stdout.contains(v.wangYoung) && showCodes.stdout.contains("marriage"))

        let log = try v.dir.run(["log"], env: zh)
        #expect(log.stdout.contains("北赵村三组12号") && log.stdout.contains(youngLabel), "\(log.stdout)")
        #expect(!log.stdout.contains(v.wangYoung.suffix(12)), "no id where a label says it")
        #expect(try v.dir.run(["log", "--codes"]).stdout.contains(v.wangYoung))
    }

    @Test("list --all fits 120 columns in both languages")
    func listAllFits() throws {
        let tmp = TempDir("refs-width")
        defer { tmp.remove() }
        let v = try Village(tmp)
        try v.ok(["edit", "person", "张丽", "--phone", "0531-88888888", "--marital-status", "已婚",
                  "--current-address", "山东省济南市历下区泉城路188号3单元502室（租住）"])
        try v.ok(["add", "household", "--address", "北赵村第三村民小组东大街西侧128号院内北屋", "--head", "张丽", "--phone", "13800000000"])
        for table in ["people", "households", "events", "visits", "benefits"] {
            // A terminal narrower than 120 still gets 120 (below that the columns are unreadable); a wider one is used.
            for env in [["COLUMNS": "120"], zh.merging(["COLUMNS": "120"]) { $1 }, ["COLUMNS": "80"]] {
                let r = try v.dir.run(["list", table, "--all"], env: env)
                #expect(r.status == 0 && widestLine(r.stdout) <= 120, "\(table) \(env): \(widestLine(r.stdout)) cells\n\(r.stdout)")
            }
        }
        // The 身份证号 and dates stay whole; the address gives way.
        let people = try v.dir.run(["list", "people", "--all"], env: ["COLUMNS": "120", "LANG": "zh_CN.UTF-8"])
        #expect(people.stdout.contains(v.wangOldID) && people.stdout.contains("1962-04-03") && people.stdout.contains("0531-88888888"))
        #expect(people.stdout.contains("…") && !people.stdout.contains("（租住）"))
        let wide = try v.dir.run(["list", "people", "--all"], env: ["COLUMNS": "200"])
        #expect(wide.stdout.contains("北赵村三组12号"), "a wide terminal shows more: \(wide.stdout)")
    }

    @Test("--where takes = < <= > >= ^= on fields by name or Chinese label, and names for references")
    func whereOperators() throws {
        let tmp = TempDir("refs-where")
        defer { tmp.remove() }
        let v = try Village(tmp)
        try v.ok(Registry.person("王小明", sex: "M", birth: "2025-02-01", withID: false))
        try v.ok(["add", "event", "--person", "张丽", "--kind", "birth", "--date", "2024-01-01"])
        func ids(_ args: [String]) throws -> Set<String> {
            let r = try v.dir.run(["list", "people", "--json"] + args)
            try #require(r.status == 0, "\(args): \(r)")
            return Set(try #require(try r.json() as? [[String: Any]]).compactMap { $0["id"] as? String })
        }
        let xiaoming = try #require(try v.dir.rows("people").first { $0.value["name"] == "王小明" }?.key)
        #expect(try ids(["--where", "birth_date>=2025-01-01"]) == [xiaoming])
        #expect(try ids(["--where", "birth_date<1985-07-15"]) == [v.wangOld])
        #expect(try ids(["--where", "birth-date<=1985-07-15"]) == [v.wangOld, v.zhang])
        #expect(try ids(["--where", "birth_date>1985-07-15", "--where", "name^=王"]) == [v.wangYoung, xiaoming])
        #expect(try ids(["--where", "姓名^=王", "--where", "性别=男"]) == [xiaoming], "Chinese labels for fields and values")
        #expect(try ids(["--where", "household=五组3号"]) == [v.wangYoung, v.zhang], "a reference by address")
        #expect(try ids(["--where", "national_id="]) == [v.zhang, xiaoming], "= nothing finds empty fields")
        let events = try v.dir.run(["list", "events", "--where", "person=张丽", "--json"])
        #expect((try events.json() as? [[String: Any]])?.count == 1)

        for (env, words) in [([String: String](), ["unknown operator !=", "= < <= > >= ^="]),
                             (zh, ["比较符 != 不认识", "= < <= > >= ^="])] {
            let r = try v.dir.run(["list", "people", "--where", "name!=王"], env: env)
            #expect(r.status == 64 && r.stdout.isEmpty && r.stderr.hasPrefix("error[unknown-operator]: "), "\(r)")
            for w in words { #expect(r.stderr.contains(w), "\(w): \(r.stderr)") }
        }
        let missing = try v.dir.run(["list", "people", "--where", "name"])
        #expect(missing.status == 64 && missing.stderr.hasPrefix("error[missing-operator]: "), "\(missing)")
        let badField = try v.dir.run(["list", "people", "--where", "nmae^=王"])
        #expect(badField.status == 64 && badField.stderr.hasPrefix("error[unknown-field]: "), "\(badField)")
    }

    @Test("list sorts by pinyin before it limits, and says when it cut (text and --json)")
    func sortBeforeLimit() throws {
        let tmp = TempDir("refs-sort")
        defer { tmp.remove() }
        let dir = HamletDir(tmp.file("n"))
        try Village.ok(dir, ["init", "--node", "n", "--village", "北赵"])
        // Created in an order far from pinyin order: the last created sort first.
        let names = ["赵敏", "张丽", "王芳", "罗明", "栾川", "吕布", "卢志", "鲁智深", "薄一波", "白起", "安娜", "吕安"]
        for (i, name) in names.enumerated() {
            try Village.ok(dir, Registry.person(name, sex: "M", birth: "1980-01-01", sequence: i, withID: false))
        }
        let sorted = ["安娜", "白起", "薄一波", "卢志", "鲁智深", "吕安", "吕布", "栾川", "罗明", "王芳", "张丽", "赵敏"]
        let all = try dir.run(["list", "people", "--json"])
        let everyone = try #require(try all.json() as? [[String: Any]])
        #expect(everyone.compactMap { ($0["values"] as? [String: Any])?["name"] as? String } == sorted)

        let zhCut = try dir.run(["list", "people", "--limit", "5"], env: zh)
        let shown = zhCut.stdout.split(separator: "\n").dropFirst(2).dropLast().map { String($0) }
        #expect(shown.count == 5)
        for (line, name) in zip(shown, sorted.prefix(5)) { #expect(line.contains(name), "\(line) should be \(name)") }
        #expect(zhCut.stdout.hasSuffix("共 12 条，显示前 5 条\n"), "\(zhCut.stdout)")
        #expect(try dir.run(["list", "people", "--limit", "5"]).stdout.hasSuffix("12 rows, showing the first 5\n"))
        #expect(try dir.run(["list", "people", "--limit", "12"], env: zh).stdout.hasSuffix("共 12 条\n"), "no cut, no note")
        #expect(try dir.run(["list", "people", "--limit", "0"], env: zh).stdout.hasSuffix("共 12 条\n"), "--limit 0 is every row")
        #expect((try dir.run(["list", "people", "--limit", "0", "--json"]).json() as? [Any])?.count == 12)

        let jsonCut = try #require(try dir.run(["list", "people", "--limit", "3", "--json"]).json() as? [String: Any])
        #expect(jsonCut["truncated"] as? Bool == true && jsonCut["total"] as? Int == 12 && jsonCut["shown"] as? Int == 3)
        let rows = try #require(jsonCut["rows"] as? [[String: Any]])
        #expect(rows.compactMap { ($0["values"] as? [String: Any])?["name"] as? String } == Array(sorted.prefix(3)))
        let bad = try dir.run(["list", "people", "--limit", "lots"])
        #expect(bad.status == 64, "\(bad)")
    }
}
