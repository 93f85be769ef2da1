import Foundation
import HamletCore
import HamletTestSupport
import Testing

// The clerk's CLI end to end (issue 3): every command run as a separate `hamlet`
// process against a real SQLite replica in a temporary folder.

/// A fresh node folder with `hamlet init` already run.
private func makeNode(_ tmp: TempDir, node: String = "beizhao", village: String = "北赵",
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> HamletDir {
    let dir = HamletDir(tmp.file(node))
    let r = try dir.run(["init", "--node", node, "--village", village])
    try #require(r.status == 0, "init: \(r)", sourceLocation: sourceLocation)
    return dir
}

/// Runs a command that must succeed and returns its trimmed stdout (an id, for `add`).
@discardableResult
private func ok(_ dir: HamletDir, _ args: [String], env: [String: String] = [:],
                sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let r = try dir.run(args, env: env)
    try #require(r.status == 0, "\(args.joined(separator: " ")): \(r)", sourceLocation: sourceLocation)
    return r.line
}

/// True for a printed row id (8-4-4-4-12 lowercase hex).
func isRowID(_ s: String) -> Bool {
    let parts = s.split(separator: "-", omittingEmptySubsequences: false)
    return parts.map(\.count) == [8, 4, 4, 4, 12] && parts.allSatisfy { $0.allSatisfy { $0.isHexDigit && !$0.isUppercase } }
}

// MARK: Terminal cells, computed here (not with the code under test)

/// Cells a character takes in a terminal: East Asian wide and fullwidth = 2, combining = 0.
func terminalCells(_ c: Character) -> Int {
    guard let s = c.unicodeScalars.first else { return 0 }
    let v = s.value
    if v == 0 { return 0 }
    if s.properties.generalCategory == .nonspacingMark || s.properties.generalCategory == .enclosingMark { return 0 }
    let wide: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD,
    ]
    return wide.contains { $0.contains(v) } ? 2 : 1
}

func terminalCells(_ s: String) -> Int { s.reduce(0) { $0 + terminalCells($1) } }

/// A rendered line as terminal cells: each cell holds its character, or nil for the
/// right half of a wide character.
func cellsOf(_ line: String) -> [Character?] {
    var out: [Character?] = []
    for c in line {
        let w = terminalCells(c)
        if w == 0 { continue }
        out.append(c)
        if w == 2 { out.append(nil) }
    }
    return out
}

@Suite("CLI end to end (separate processes)", .serialized)
struct CLITests {
    @Test("init, add, edit, delete, list, show, status and log with Chinese text")
    func clerkSession() throws {
        let tmp = TempDir("cli-session")
        defer { tmp.remove() }
        let dir = try makeNode(tmp)
        // A real SQLite file.
        let header = try #require(FileManager.default.contents(atPath: dir.file("replica.sqlite")))
        #expect(header.prefix(16) == Data("SQLite format 3\0".utf8))

        let household = try ok(dir, ["add", "household", "--address", "北赵村三组12号", "--phone", "13800000000"])
        #expect(isRowID(household), "add prints the new id: \(household)")
        let zhang = try ok(dir, ["add", "person", "--name", "张丽", "--sex", "F", "--birth-date", "1990-03-02",
                                 "--national-id", "370481199003021224", "--household", household, "--author", "王会计"])
        let maria = try ok(dir, Registry.person("Maria Garcia", sex: "F", birth: "1985-07-15", sequence: 3, household: household))
        #expect(zhang != maria && isRowID(zhang))

        let edited = try dir.run(["edit", "person", zhang, "--phone", "13900000000", "--current-address", "北赵村, 三组 \"老屋\""])
        #expect(edited.status == 0 && edited.stdout.contains(zhang), "\(edited)")
        let visit = try ok(dir, ["add", "visit", "--person", zhang, "--kind", "health_check", "--date", "2024-05-01",
                                 "--result", "血压正常"])
        let deleted = try dir.run(["delete", "visit", visit])
        #expect(deleted.status == 0, "\(deleted)")

        // list: table, --where, --json.
        let table = try dir.run(["list", "people"])
        #expect(table.status == 0 && table.stderr.isEmpty)
        #expect(table.stdout.contains("张丽") && table.stdout.contains("Maria Garcia") && table.stdout.contains("13900000000"))
        let filtered = try dir.run(["list", "people", "--where", "name=张丽"])
        // The id column holds short ids: the last 8 characters, which every command takes back.
        #expect(filtered.stdout.contains(String(zhang.suffix(8))) && !filtered.stdout.contains(String(maria.suffix(8))), "\(filtered)")
        let people = try dir.rows("people")
        #expect(Set(people.keys) == [zhang, maria])
        #expect(people[zhang]?["name"] == "张丽" && people[zhang]?["phone"] == "13900000000")
        #expect(people[zhang]?["current_address"] == "北赵村, 三组 \"老屋\"")
        #expect(people[zhang]?["village"] == "北赵" && people[zhang]?["household"] == household)
        #expect(try dir.rows("visits").isEmpty, "the deleted visit is gone from the list")
        let whereJSON = try dir.run(["list", "person", "--where", "name=张丽", "--where", "sex=F", "--json"])
        let whereRows = try #require(try whereJSON.json() as? [[String: Any]])
        #expect(whereRows.count == 1 && whereRows.first?["id"] as? String == zhang)

        // show --json: values, versions (none yet: never synced) and the pending changes.
        let show = try dir.run(["show", "person", zhang, "--json"])
        #expect(show.status == 0, "\(show)")
        let detail = try #require(try show.json() as? [String: Any])
        #expect(textFields(detail["values"] as? [String: Any] ?? [:])["name"] == "张丽")
        #expect((detail["versions"] as? [String: Any])?.isEmpty == true)
        let pending = try #require(detail["pending"] as? [[String: Any]])
        #expect(pending.count == 2, "the insert and the edit")
        #expect(pending.compactMap { $0["state"] as? String }.allSatisfy { $0 == "pending" })
        #expect(pending.contains { ($0["values"] as? [String: Any])?["phone"] as? String == "13900000000" })
        let showText = try dir.run(["show", "person", zhang])
        #expect(showText.stdout.contains("national_id") && showText.stdout.contains("pending"))

        // status --json counts.
        let status = try dir.status()
        #expect(status["node"] as? String == "beizhao" && status["village"] as? String == "北赵")
        #expect(status["pending"] as? Int == 6, "household, two people, an edit, a visit and its delete")
        #expect(status["accepted"] as? Int == 0 && status["rejected"] as? Int == 0)
        let counts = try #require(status["rows"] as? [String: Int])
        #expect(counts["people"] == 2 && counts["households"] == 1 && counts["visits"] == 0)

        // log: seq counts up by one; ops, authors, states.
        let log = try dir.log()
        #expect(log.compactMap { $0["seq"] as? Int } == Array(1...6))
        #expect(log.compactMap { $0["op"] as? String }.last == "delete")
        #expect(log[1]["author"] as? String == "王会计" && log[0]["author"] as? String == "clerk")
        #expect(log.allSatisfy { $0["state"] as? String == "pending" && ($0["hlc"] as? String)?.isEmpty == false })
        #expect(try dir.log(pending: true).count == 6)
        let logText = try dir.run(["log", "--pending"])
        #expect(logText.status == 0 && logText.stdout.contains("delete") && logText.stdout.contains("王会计"))

        // --dir defaults to $HAMLET_DIR, then the current directory.
        let viaEnv = try Hamlet.run(["list", "people", "--json"], env: ["HAMLET_DIR": dir.path])
        #expect(viaEnv.status == 0 && viaEnv.stdout.contains(zhang))
        let viaCwd = try Hamlet.run(["status", "--json"], cwd: dir.path)
        #expect(viaCwd.status == 0 && viaCwd.stdout.contains("beizhao"))
    }

    @Test("help, <cmd> --help and help <cmd> print the same text, in Chinese or English by locale",
          arguments: [["add", "person"], ["list"], ["sync"], ["hub", "resolve"], ["hub", "merge"], ["import"]])
    func helpIsIdentical(command: [String]) throws {
        let viaFlag = try Hamlet.run(command + ["--help"])
        let viaHelp = try Hamlet.run(["help"] + command)
        #expect(viaFlag.status == 0 && viaHelp.status == 0)
        #expect(viaFlag.stderr.isEmpty && viaHelp.stderr.isEmpty)
        #expect(viaFlag.stdout == viaHelp.stdout)
        #expect(viaFlag.stdout.contains("USAGE: hamlet \(command.joined(separator: " "))"), "\(viaFlag.stdout)")
        #expect(viaFlag.stdout.contains("OPTIONS:") && viaFlag.stdout.contains("--dir"))
        let zh = try Hamlet.run(command + ["--help"], env: ["LANG": "zh_CN.UTF-8"])
        let zhHelp = try Hamlet.run(["help"] + command, env: ["LANG": "zh_CN.UTF-8"])
        #expect(zh.stdout == zhHelp.stdout)
        #expect(zh.stdout.contains("用法：") && !zh.stdout.contains("USAGE:"))
    }

    @Test("top-level help lists every clerk command; language comes from LC_ALL, LANG or --lang")
    func topLevelHelpAndLanguage() throws {
        let help = try Hamlet.run(["help"])
        #expect(help.status == 0)
        #expect(help.stdout == (try Hamlet.run(["--help"])).stdout)
        for command in ["init", "add", "edit", "delete", "list", "show", "status", "log", "sync", "resync", "verify", "import", "hub"] {
            #expect(help.stdout.contains("\n  \(command) "), "help lists \(command)")
        }
        let zh = try Hamlet.run(["list", "--help"], env: ["LANG": "zh_CN.UTF-8"])
        let lcAll = try Hamlet.run(["list", "--help"], env: ["LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"])
        let flag = try Hamlet.run(["list", "--help", "--lang", "en"], env: ["LANG": "zh_CN.UTF-8"])
        let en = try Hamlet.run(["list", "--help"])
        #expect(zh.stdout.contains("概述："))
        #expect(lcAll.stdout == zh.stdout, "LC_ALL wins over LANG")
        #expect(flag.stdout == en.stdout, "--lang wins over the environment")
        #expect(en.stdout.contains("OVERVIEW:"))
    }

    @Test("data output follows the language: headers, status, messages")
    func chineseAndEnglishOutput() throws {
        let tmp = TempDir("cli-lang")
        defer { tmp.remove() }
        let dir = try makeNode(tmp)
        try ok(dir, Registry.person("张丽"))
        let zhList = try dir.run(["list", "people"], env: ["LANG": "zh_CN.UTF-8"])
        let enList = try dir.run(["list", "people"])
        #expect(zhList.stdout.contains("姓名") && zhList.stdout.contains("共 1 条"))
        #expect(enList.stdout.contains("name") && enList.stdout.contains("1 row(s)") && !enList.stdout.contains("姓名"))
        let zhStatus = try dir.run(["status"], env: ["LANG": "zh_CN.UTF-8"])
        #expect(zhStatus.stdout.contains("待上传") && zhStatus.stdout.contains("从未"))
        #expect(try dir.run(["status"]).stdout.contains("pending"))
        let zhBad = try dir.run(["add", "person", "--name", "李四", "--sex", "M", "--birth-date", "1990-02-30"],
                                env: ["LANG": "zh_CN.UTF-8"])
        #expect(zhBad.status == 65 && zhBad.stderr.contains("1990-02-30") && zhBad.stderr.contains("不是有效日期"))
        #expect(zhBad.stderr.contains("没有做任何修改"))
        // --json is the same whatever the language.
        #expect(try dir.run(["list", "people", "--json"], env: ["LANG": "zh_CN.UTF-8"]).stdout
                == dir.run(["list", "people", "--json"]).stdout)
    }

    /// One usage error: arguments, the hint expected, and the language.
    struct UsageCase: Sendable, CustomTestStringConvertible {
        var args: [String]
        var didYouMean: String?
        var chinese = false
        var testDescription: String { (chinese ? "[zh] " : "") + args.joined(separator: " ") }
    }

    @Test("bad flags and commands exit 64 with Error:/错误：, the usage and a did-you-mean, and change nothing",
          arguments: [
              UsageCase(args: ["lsit", "people"], didYouMean: "list"),
              UsageCase(args: ["list", "people", "--dri", "X"], didYouMean: "--dir"),
              UsageCase(args: ["add", "person", "--nmae", "张丽"], didYouMean: "--name"),
              UsageCase(args: ["add", "persn", "--name", "张丽"], didYouMean: "person"),
              UsageCase(args: ["edit", "person", "x", "--phnoe", "13900000000"], didYouMean: "--phone"),
              UsageCase(args: ["list", "people", "--jsno"], didYouMean: "--json", chinese: true),
              UsageCase(args: ["hub", "conflcts"], didYouMean: "conflicts", chinese: true),
              UsageCase(args: ["list", "people", "--limit"], didYouMean: nil),
          ])
    func usageErrors(_ c: UsageCase) throws {
        let tmp = TempDir("cli-usage")
        defer { tmp.remove() }
        let dir = try makeNode(tmp)
        try ok(dir, Registry.person("张丽"))
        let before = try dir.fingerprint()
        let env = c.chinese ? ["LANG": "zh_CN.UTF-8"] : [:]
        // The node folder comes through $HAMLET_DIR so the bad flag stays where the case put it.
        let r = try Hamlet.run(c.args, env: env.merging(["HAMLET_DIR": dir.path]) { $1 })
        #expect(r.status == 64, "\(r)")
        #expect(r.stdout.isEmpty, "usage errors go to stderr")
        if c.chinese {
            #expect(r.stderr.hasPrefix("错误："), "\(r.stderr)")
            #expect(r.stderr.contains("用法："))
        } else {
            #expect(r.stderr.hasPrefix("Error: "), "\(r.stderr)")
            #expect(r.stderr.contains("Usage: hamlet"))
            #expect(r.stderr.contains("See 'hamlet"))
        }
        if let hint = c.didYouMean {
            #expect(r.stderr.contains(c.chinese ? "是否要输入 '\(hint)'" : "Did you mean '\(hint)'"), "\(r.stderr)")
        }
        #expect(try dir.fingerprint() == before)
    }

    /// One refused value: the command (after a fixture of a household and 张丽), the exit code and the error code.
    struct BadValueCase: Sendable, CustomTestStringConvertible {
        var label: String
        var args: @Sendable (_ person: String, _ household: String) -> [String]
        var exit: Int32
        var code: String
        var echoes: String?
        var testDescription: String { label }
    }

    static let badValues: [BadValueCase] = [
        BadValueCase(label: "national ID with a wrong check digit", args: { _, _ in
            ["add", "person", "--name", "李四", "--sex", "F", "--birth-date", "1990-03-02", "--national-id", "370481199003021225"]
        }, exit: 65, code: "invalid-national-id", echoes: "370481199003021225"),
        BadValueCase(label: "national ID that disagrees with the birth date", args: { _, _ in
            ["add", "person", "--name", "李四", "--sex", "F", "--birth-date", "1990-03-03", "--national-id", "370481199003021224"]
        }, exit: 65, code: "national-id-birth-date-mismatch"),
        BadValueCase(label: "national ID that disagrees with the sex", args: { _, _ in
            ["add", "person", "--name", "李四", "--sex", "M", "--birth-date", "1990-03-02", "--national-id", "370481199003021224"]
        }, exit: 65, code: "national-id-sex-mismatch"),
        BadValueCase(label: "1990-02-30", args: { _, _ in
            ["add", "person", "--name", "李四", "--sex", "M", "--birth-date", "1990-02-30"]
        }, exit: 65, code: "invalid-date", echoes: "1990-02-30"),
        BadValueCase(label: "a value outside the enum", args: { _, _ in
            ["add", "person", "--name", "李四", "--sex", "X", "--birth-date", "1990-02-03"]
        }, exit: 65, code: "invalid-enum", echoes: "\"X\""),
        BadValueCase(label: "a visit dated before the person's birth", args: { p, _ in
            ["add", "visit", "--person", p, "--kind", "health_check", "--date", "1980-01-01"]
        }, exit: 65, code: "date-before-birth", echoes: "1980-01-01"),
        BadValueCase(label: "an edit moving the birth date away from the ID", args: { p, _ in
            ["edit", "person", p, "--birth-date", "1990-03-05"]
        }, exit: 65, code: "national-id-birth-date-mismatch"),
        BadValueCase(label: "an edit with a bad phone", args: { p, _ in ["edit", "person", p, "--phone", "12"] },
                     exit: 65, code: "invalid-phone"),
        BadValueCase(label: "a missing required field", args: { _, _ in ["add", "person", "--name", "李四", "--sex", "M"] },
                     exit: 65, code: "missing-field"),
        BadValueCase(label: "a reference to no row", args: { _, _ in
            Registry.person("李四", household: "01a20823-0000-7e39-92de-a1f1e19489a0")
        }, exit: 65, code: "missing-reference"),
        BadValueCase(label: "deleting a household people still refer to", args: { _, h in ["delete", "household", h] },
                     exit: 65, code: "referenced"),
        BadValueCase(label: "editing an unknown id", args: { _, _ in
            ["edit", "person", "01a20823-0000-7e39-92de-a1f1e19489a0", "--phone", "13900000001"]
        }, exit: 66, code: "not-found"),
        BadValueCase(label: "showing an unknown id", args: { _, _ in ["show", "person", "01a20823-0000-7e39-92de-a1f1e19489a0"] },
                     exit: 66, code: "not-found"),
        BadValueCase(label: "deleting an unknown id", args: { _, _ in ["delete", "visit", "01a20823-0000-7e39-92de-a1f1e19489a0"] },
                     exit: 66, code: "not-found"),
    ]

    @Test("a bad value gets its exit code and a message naming field and value, and changes nothing", arguments: badValues)
    func badValuesChangeNothing(_ c: BadValueCase) throws {
        let tmp = TempDir("cli-bad")
        defer { tmp.remove() }
        let dir = try makeNode(tmp)
        let household = try ok(dir, ["add", "household", "--address", "北赵村三组12号"])
        let person = try ok(dir, ["add", "person", "--name", "张丽", "--sex", "F", "--birth-date", "1990-03-02",
                                  "--national-id", "370481199003021224", "--household", household])
        let before = try dir.fingerprint()
        let r = try dir.run(c.args(person, household))
        #expect(r.status == c.exit, "\(r)")
        #expect(r.stderr.hasPrefix("error[\(c.code)]: "), "stable code first: \(r.stderr)")
        #expect(r.stdout.isEmpty)
        if let echo = c.echoes { #expect(r.stderr.contains(echo), "the message echoes the clerk's value") }
        #expect(try dir.fingerprint() == before, "nothing changed")
    }

    @Test("commands without a replica exit 66 and say how to make one")
    func noReplica() throws {
        let tmp = TempDir("cli-none")
        defer { tmp.remove() }
        let empty = HamletDir(tmp.file("nowhere"))
        for args in [["status"], ["list", "people"], Registry.person("张丽"), ["log"], ["show", "person", "x"]] {
            let r = try empty.run(args)
            #expect(r.status == 66, "\(args): \(r)")
            #expect(r.stderr.hasPrefix("error[no-store]: ") && r.stderr.contains("hamlet init"))
        }
        #expect(!FileManager.default.fileExists(atPath: empty.file("replica.sqlite")), "nothing created by a failed command")
        // init twice refuses and keeps the first replica.
        let dir = try makeNode(tmp, node: "nanzhao", village: "南赵")
        try ok(dir, Registry.person("张丽"))
        let before = try dir.fingerprint()
        let again = try dir.run(["init", "--node", "other", "--village", "北赵"])
        #expect(again.status != 0, "\(again)")
        #expect(try dir.fingerprint() == before)
        #expect(try dir.status()["node"] as? String == "nanzhao")
    }

    @Test("list people aligns Chinese and Latin names in terminal cells; long values are cut with …")
    func widthAlignment() throws {
        let tmp = TempDir("cli-width")
        defer { tmp.remove() }
        let dir = try makeNode(tmp)
        let names = ["张丽", "Maria Garcia", "欧阳娜娜", "Li", "Anna 李", "王小明", "ＦＵＬＬ全角", "阿卜杜热合曼·买买提明·艾合买提江·司马义"]
        for (i, name) in names.enumerated() {
            try ok(dir, Registry.person(name, sex: i % 2 == 0 ? "F" : "M", birth: "19\(70 + i)-0\(1 + i % 9)-1\(i)",
                                        sequence: i) + (i % 3 == 0 ? ["--phone", "1380000000\(i)"] : []))
        }
        let json = try dir.rows("people")
        let columns = ["name", "sex", "birth_date", "national_id", "residence", "phone"]
        let languages: [(env: [String: String], headers: [String], footer: String)] = [
            ([:], ["id"] + columns, "\(names.count) row(s)"),
            (["LANG": "zh_CN.UTF-8"], ["编号", "姓名", "性别", "出生日期", "身份证号", "居住状态", "电话"], "共 \(names.count) 条"),
        ]
        for language in languages {
            let r = try dir.run(["list", "people"], env: language.env)
            #expect(r.status == 0)
            var lines = r.stdout.components(separatedBy: "\n").filter { !$0.isEmpty }
            let footer = lines.removeLast()
            #expect(footer == language.footer)
            try #require(lines.count == names.count + 2, "\(r.stdout)")
            // Column starts in cells, from the dash rule under the header.
            let rule = cellsOf(lines[1])
            var starts: [Int] = []
            var ends: [Int] = []
            for (i, c) in rule.enumerated() {
                if c == "-" && (i == 0 || rule[i - 1] == " ") { starts.append(i) }
                if c == "-" && (i == rule.count - 1 || rule[i + 1] == " ") { ends.append(i + 1) }
            }
            try #require(starts.count == 7, "id + 6 display columns: \(lines[1])")
            for line in [lines[0]] + lines.dropFirst(2) {
                let cells = cellsOf(line)
                #expect(cells.count <= ends.last ?? 0, "no line is wider than the rule: \(line)")
                for (k, s) in starts.enumerated() where k > 0 {
                    // Two blank cells before every column: nothing spills over from the left.
                    #expect(s >= 2)
                    if s - 1 < cells.count { #expect(cells[s - 1] == " " && cells[s - 2] == " ", "column \(k) starts at cell \(s): \(line)") }
                    // A column never starts in the middle of a wide character.
                    if s < cells.count { #expect(cells[s] != nil, "column \(k) cuts a wide character: \(line)") }
                }
            }
            // Reading each row back by cell offsets gives its values: the columns are aligned.
            func field(_ cells: [Character?], _ k: Int) -> String {
                let lo = starts[k]
                let hi = min(ends[k], cells.count)
                guard lo < hi else { return "" }
                return String(cells[lo..<hi].compactMap { $0 }).trimmingCharacters(in: .whitespaces)
            }
            #expect((0..<7).map { field(cellsOf(lines[0]), $0) } == language.headers)
            var seen = Set<String>()
            for line in lines.dropFirst(2) {
                let cells = cellsOf(line)
                let short = field(cells, 0)
                let id = try #require(json.keys.first { $0.hasSuffix(short) && short.count >= 8 }, "short id \(short) read at cells \(starts[0])..<\(ends[0])")
                let values = try #require(json[id])
                seen.insert(id)
                for (k, name) in columns.enumerated() {
                    let shown = field(cells, k + 1)
                    // Under Chinese an enum shows its label (女, 常住); the stored code otherwise.
                    let code = values[name] ?? ""
                    let enumField = Schema.register.table(named: "people")?.field(name).flatMap { $0.type == .enum ? $0 : nil }
                    let full = language.env.isEmpty || code.isEmpty ? code : (enumField?.label(ofValue: code).zh ?? code)
                    if terminalCells(full) <= 24 {
                        #expect(shown == full, "\(name) of \(id): shown \(shown) for \(full)")
                    } else {
                        #expect(shown.hasSuffix("…") && full.hasPrefix(String(shown.dropLast())), "cut with …: \(shown)")
                        #expect(terminalCells(shown) <= 24)
                    }
                }
            }
            #expect(seen == Set(json.keys))
        }
        #expect(json.values.contains { terminalCells($0["name"] ?? "") > 24 }, "one name is long enough to be cut")
    }

    @Test("import people: BOM, CRLF, quoted commas, quotes and line breaks; bad rows reported by line, exit 65; --dry-run writes nothing")
    func importCSV() throws {
        let tmp = TempDir("cli-import")
        defer { tmp.remove() }
        let dir = try makeNode(tmp)
        let wangID = Registry.nationalID(birth: "1990-03-02", sex: "M", sequence: 8)
        // Lines: 1 header, 2 王五, 3–4 赵六 (a line break inside quotes), 5 bad enum, 6 bad date,
        // 7 孙七, 8 bad check digit, 9 another village (skipped, not bad).
        let csv = "\u{FEFF}name,sex,birth_date,national_id,current_address,village\r\n"
            + "王五,M,1990-03-02,\(wangID),\"北赵村, 三组\",北赵\r\n"
            + "赵六,F,1991-01-01,,\"第一行\n第二行 \"\"老屋\"\"\",\r\n"
            + "坏一,X,1990-01-01,,,\r\n"
            + "坏二,F,1990-02-30,,,\r\n"
            + "孙七,F,1992-05-05,,,北赵\r\n"
            + "坏三,F,1990-03-02,370481199003021225,,\r\n"
            + "外村,F,1992-05-05,,,南赵\r\n"
        let file = tmp.file("people.csv")
        try Data(csv.utf8).write(to: URL(fileURLWithPath: file))

        let dry = try dir.run(["import", "people", "--file", file, "--dry-run"])
        #expect(dry.status == 65, "\(dry)")
        #expect(dry.stdout.contains("dry run (nothing written): 3 added"), "\(dry.stdout)")
        #expect(try dir.log().isEmpty && dir.rows("people").isEmpty, "--dry-run imports nothing")

        let r = try dir.run(["import", "people", "--file", file])
        #expect(r.status == 65, "\(r)")
        let reported = r.stderr.components(separatedBy: "\n").filter { $0.hasPrefix("people.csv:") }
        #expect(reported.count == 3, "\(r.stderr)")
        #expect(reported.contains { $0.hasPrefix("people.csv:5 [invalid-enum]") })
        #expect(reported.contains { $0.hasPrefix("people.csv:6 [invalid-date]") && $0.contains("1990-02-30") })
        #expect(reported.contains { $0.hasPrefix("people.csv:8 [invalid-national-id]") })
        #expect(r.stdout.contains("imported: 3 added") && r.stdout.contains("1 of other villages skipped"), "\(r.stdout)")

        let people = try dir.rows("people")
        let byName = Dictionary(uniqueKeysWithValues: people.values.map { ($0["name"] ?? "", $0) })
        #expect(Set(byName.keys) == ["王五", "赵六", "孙七"])
        #expect(byName["王五"]?["current_address"] == "北赵村, 三组" && byName["王五"]?["national_id"] == wangID)
        #expect(byName["赵六"]?["current_address"] == "第一行\n第二行 \"老屋\"")
        #expect(people.values.allSatisfy { $0["village"] == "北赵" })
        #expect(try dir.log().count == 3, "one change per imported row")

        // The same file with --json: a report scripts can read; nothing imported twice is not promised,
        // so use a fresh node.
        let other = try makeNode(tmp, node: "b2")
        let j = try other.run(["import", "people", "--file", file, "--json"])
        #expect(j.status == 65)
        let report = try #require(try j.json() as? [String: Any])
        #expect(report["imported"] as? Int == 3 && report["skipped_other_village"] as? Int == 1)
        #expect((report["problems"] as? [[String: Any]])?.compactMap { $0["line"] as? Int }.sorted() == [5, 6, 8])
    }
}
