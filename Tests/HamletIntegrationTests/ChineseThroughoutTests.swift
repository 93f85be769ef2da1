import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

// Issue 11 item 7, "Chinese throughout": under a zh locale every message, reason, status
// line, table header and export header a clerk or the operator reads is Chinese. These
// tests run every command (the whole help tree, every clerk command, every `hamlet hub`
// command) and every error path they can reach as real processes under
// LANG=zh_CN.UTF-8, and fail on any ASCII word that is not on the short allow-list
// below. `--json` and `--codes` output keep codes by design and are not checked.

/// What may stay ASCII in Chinese output, and the scanner that finds what may not.
enum ChineseOutput {
    /// Words allowed anywhere, each with the reason it stays as it is.
    static let allowedWords: [String: String] = [
        "CSV": "a file format's name; Chinese spreadsheets say CSV too",
        "xlsx": "a file format's name and the value `--format xlsx` takes",
        "csv": "the value `--format csv` takes, and the file extension",
        "Excel": "the program clerks open the exports with; it has no other name",
        "UTF": "UTF-8, the encoding's name",
        "GBK": "the encoding's name (GBK/GB18030 files are converted on import)",
        "GB": "GB18030, the encoding's name",
        "JSON": "the format `--json` prints",
        "Ctrl": "the key Ctrl-C",
        "C": "the key Ctrl-C",
        "LANG": "the environment variable that chooses the language, typed as it is",
        "HAMLET_DIR": "the environment variable naming the data folder, typed as it is",
        "HAMLET": "HAMLET_DIR split at its underscore",
        "DIR": "HAMLET_DIR split at its underscore",
        "zh": "the value `--lang zh` takes",
        "en": "the value `--lang en` takes",
        "Asia": "Asia/Shanghai, the IANA time-zone id `--time-zone` takes",
        "Shanghai": "Asia/Shanghai, the IANA time-zone id `--time-zone` takes",
        "X": "the check character X of a national ID, as printed on the card",
    ]

    /// Lines that are machine-read by design, with why: `hub serve` announces its addresses for
    /// scripts and tests (STYLE 17), and its stderr is the hub's log (English codes by design).
    static let machineLines: [(prefix: String, why: String)] = [
        ("listening ", "hub serve's ready line, read by scripts and tests (STYLE 17)"),
        ("web http://", "hub serve's operator-page address line, read by scripts"),
    ]

    /// One piece of a line: a run of ASCII non-space characters, or a run of anything else.
    enum Piece: Equatable {
        case ascii(String)
        case other
    }

    static func pieces(_ line: String) -> [Piece] {
        var out: [Piece] = []
        var word = ""
        var inOther = false
        for ch in line {
            if ch == " " || ch == "\t" {
                if !word.isEmpty { out.append(.ascii(word)); word = "" }
                inOther = false
            } else if ch.isASCII {
                if inOther { inOther = false }
                word.append(ch)
            } else {
                if !word.isEmpty { out.append(.ascii(word)); word = "" }
                if !inOther { out.append(.other); inOther = true }
            }
        }
        if !word.isEmpty { out.append(.ascii(word)) }
        return out
    }

    static let edgePunctuation = CharacterSet(charactersIn: "[](){}<>'\"`,.;:!?…")

    static func isFlag(_ word: String) -> Bool {
        let w = word.trimmingCharacters(in: edgePunctuation)
        if w.count == 2, w.hasPrefix("-"), w.last?.isLetter == true { return true }  // -h
        return w.hasPrefix("--") && w.count > 2 && !w.contains("=")
    }

    /// A value placeholder such as `<id>`: it names what to type, so it is written in the reader's language.
    static func isPlaceholder(_ word: String) -> Bool {
        word.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).hasPrefix("<")
    }

    /// An id the CLI prints: a whole row id, its 8+ character end, a hub id, a hex digest.
    static func isIdentifier(_ word: String) -> Bool {
        let w = word.trimmingCharacters(in: edgePunctuation.union(CharacterSet(charactersIn: "#*=")))
        guard w.count >= 4 else { return false }
        let hex = w.allSatisfy { $0.isHexDigit || $0 == "-" }
        // A short hex word needs a digit (`face`, `decade` are English); a row id's 8-character end may be letters only
        // (one id in ~2,500 is, e.g. `aaacefcf`), and no English word of 8 or more letters is made of a–f alone.
        return hex && (w.contains(where: \.isNumber) || w.count >= 8)
    }

    /// The ASCII words of a line that are not allowed.
    /// - Parameters:
    ///   - line: One line of output.
    ///   - known: Exact strings allowed in this run: the temp folder, node ids, the hub's address.
    ///   - commands: Every command name in the tree (allowed after `hamlet` and at the start of a help row).
    static func offences(_ line: String, known: [String], commands: Set<String>) -> [String] {
        if machineLines.contains(where: { line.hasPrefix($0.prefix) }) { return [] }
        var text = line
        // error[code] (STYLE.md) and codes in brackets: stable, quoted by clerks, matched by scripts.
        text = text.replacing(/error\[[a-z0-9][a-z0-9-]*\]/, with: " ")
        text = text.replacing(/\[[a-z0-9][a-z0-9-]*\]/, with: " ")
        text = text.replacing(/https?:\/\/\S+/, with: " ")
        // File paths and file names.
        text = text.replacing(/(^|[\s(（「'"=：:])(~|\.{1,2})?\/[^\s，。；：）」、'"]*/, with: " ")
        text = text.replacing(/[^\s，。；：（）「」、'"\/]+\.(csv|xlsx|json|sqlite|secret|txt|token)(?![A-Za-z])/, with: " ")
        for k in known.sorted(by: { $0.count > $1.count }) where !k.isEmpty { text = text.replacingOccurrences(of: k, with: " ") }
        // A help row naming a subcommand.
        if let m = text.firstMatch(of: /^  ([a-z][a-z0-9-]*)(\s|$)/), m.1 != "hamlet", commands.contains(String(m.1)) {
            text = "  " + text.dropFirst(2 + m.1.count)
        }
        var bad: [String] = []
        var inCommand = false
        var previous: Piece?
        for piece in pieces(text) {
            defer { previous = piece }
            guard case .ascii(let word) = piece else {
                // Chinese text ends a command example, unless it is the value of the flag before it.
                if inCommand, case .ascii(let p)? = previous, isFlag(p) { continue }
                inCommand = false
                continue
            }
            let bare = word.trimmingCharacters(in: edgePunctuation)
            if bare == "hamlet" || bare.hasSuffix("hamlet") && !bare.contains(where: { !$0.isLetter && $0 != "'" && $0 != "\"" }) {
                inCommand = true
                continue
            }
            // Syntax in a command example: subcommands, table codes, flags and their values.
            if inCommand, !isPlaceholder(word) { continue }
            if isFlag(word) { continue }
            if word.hasPrefix("--"), word.contains("=") { continue }
            // The value right after a flag (`--where birth_date>=2025-01-01`).
            if case .ascii(let p)? = previous, isFlag(p), !isPlaceholder(word) { continue }
            if isIdentifier(word) { continue }
            for match in word.matches(of: /[A-Za-z_]+/) {
                let w = String(match.output)
                if allowedWords[w] != nil { continue }
                if w.split(separator: "_").allSatisfy({ allowedWords[String($0)] != nil }) { continue }
                bad.append(w)
            }
        }
        return bad
    }
}

/// Runs commands under zh and collects every line that breaks the rule.
final class ChineseAudit: @unchecked Sendable {
    // Used from one test thread only.
    var known: [String] = []
    var commands: Set<String> = ["hamlet", "help"]
    private(set) var offending: [String] = []
    private(set) var ran = 0
    private(set) var statusMismatches: [String] = []
    let env: [String: String]

    init(env: [String: String] = ["LANG": "zh_CN.UTF-8", "USER": "王会计"]) {
        self.env = env
    }

    /// Checks one result's stdout and stderr.
    func check(_ label: String, _ r: ProcessResult, stdout checksStdout: Bool = true, stderr checksStderr: Bool = true) {
        ran += 1
        // ZH_DUMP=file appends every command and its output, for a person to read the Chinese over.
        if let dump = ProcessInfo.processInfo.environment["ZH_DUMP"], let h = FileHandle(forWritingAtPath: dump) {
            h.seekToEndOfFile(); h.write(Data("=== \(label) → \(r.status)\n\(r.stdout)\(r.stderr)".utf8)); try? h.close()
        }
        var streams: [(String, String)] = []
        if checksStdout { streams.append(("stdout", r.stdout)) }
        if checksStderr { streams.append(("stderr", r.stderr)) }
        for (name, text) in streams {
            // (CRLF is one Character in Swift: split on every newline.)
            for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init) {
                let bad = ChineseOutput.offences(line, known: known, commands: commands)
                if !bad.isEmpty {
                    offending.append("\(label) [\(name)] \(bad.joined(separator: ",")): \(line)")
                }
            }
        }
    }

    /// Runs `hamlet args… --dir DIR` under zh, checks the output and, when given, the exit status.
    @discardableResult
    func run(_ dir: HamletDir, _ args: [String], exit: Int32? = 0, env extra: [String: String] = [:],
             stdin: Data? = nil) throws -> ProcessResult {
        let r = try dir.run(args, env: env.merging(extra) { $1 }, stdin: stdin)
        record(args, r, exit: exit)
        return r
    }

    /// Runs `hamlet args…` (no `--dir`) under zh.
    @discardableResult
    func bare(_ args: [String], exit: Int32? = 0, env extra: [String: String] = [:]) throws -> ProcessResult {
        let r = try Hamlet.run(args, env: env.merging(extra) { $1 })
        record(args, r, exit: exit)
        return r
    }

    private func record(_ args: [String], _ r: ProcessResult, exit: Int32?) {
        let label = "hamlet " + args.map { $0.contains(" ") || $0.isEmpty ? "\"\($0)\"" : $0 }.joined(separator: " ")
        if let exit, r.status != exit {
            statusMismatches.append("\(label): exit \(r.status), expected \(exit)\n\(r.stdout)\(r.stderr)")
        }
        // --json and --codes keep codes by design; `hub schema` prints the schema document.
        let machine = args.contains("--json") || args.contains("--codes") || args == ["hub", "schema"]
        let binary = args.contains("xlsx")
        check(label, r, stdout: !machine && !binary)
    }

    /// A row id printed by `add`, for the commands that follow.
    func id(_ dir: HamletDir, _ args: [String]) throws -> String {
        let r = try run(dir, args)
        let id = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(isRowID(id), "\(args): \(r)")
        return id
    }

    /// Fails the test with every offending line and every wrong exit status.
    func expectClean(sourceLocation: SourceLocation = #_sourceLocation) {
        let statuses = statusMismatches.joined(separator: "\n---\n")
        #expect(statusMismatches.isEmpty, "\(statusMismatches.count) command(s) ended with another status:\n\(statuses)",
                sourceLocation: sourceLocation)
        let lines = offending.joined(separator: "\n")
        if !offending.isEmpty { print("English under zh:\n" + lines) }
        #expect(offending.isEmpty, "\(offending.count) line(s) with English under zh (of \(ran) commands):\n\(lines)",
                sourceLocation: sourceLocation)
    }
}

/// Writes a file and returns its path.
private func write(_ tmp: TempDir, _ name: String, _ text: String) throws -> String {
    let path = tmp.file(name)
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

@Suite("Chinese throughout (issue 11 item 7)", .serialized)
struct ChineseThroughoutTests {
    @Test("the scanner allows codes in brackets, ids, flags, paths and command examples, and nothing else")
    func scanner() {
        let commands: Set<String> = ["hamlet", "hub", "resolve", "add", "person", "list"]
        func bad(_ s: String) -> [String] { ChineseOutput.offences(s, known: ["/tmp/x"], commands: commands) }
        #expect(bad("error[invalid-date]: 出生日期「1990-02-30」：不是有效日期") == [])
        #expect(bad("aaacefcf: aaacefcf  北赵村三组12号") == [], "a row id's end of letters a–f alone")
        #expect(bad("decade 的 face") == ["decade", "face"])
        #expect(bad("处理：hamlet hub resolve 5 --take village 或 --value phone=…") == [])
        #expect(bad("已建立村节点 bz1（北赵）：/tmp/x/replica.sqlite") == ["bz"])
        #expect(bad("冲突 #5 已处理（镇中心修改 hseq 12）") == ["hseq"])
        #expect(bad("同步结果  pushed 3 (accepted 3)") == ["pushed", "accepted"])
        #expect(bad("  resolve                 处理字段冲突") == [])
        #expect(bad("编号      姓名  性别") == [])
        #expect(bad("a1b2c3d4  张丽  F  1990-03-02") == ["F"])
        #expect(bad("例如 --where birth_date>=2025-01-01 或 --where name^=王") == [])
        #expect(bad("用法：hamlet add person [--name <姓名>]") == [])
        #expect(bad("用法：hamlet add person [--name <name>]") == ["name"])
        #expect(bad("已登记节点 bz3，密钥写入 /tmp/x/bz3.secret（只写这一次）") == ["bz"])
        #expect(bad("  --name <name>           姓名（必填）") == ["name"])
        #expect(bad("运行 'hamlet list --help' 查看帮助。") == [])
        #expect(bad("记录数  benefits 12, people 3") == ["benefits", "people"])
    }

    @Test("the help tree: every command's help and --help under zh")
    func helpTree() throws {
        let audit = ChineseAudit()
        audit.commands = try helpCommands()
        // Every command path, found from the help itself.
        var queue: [[String]] = [[]]
        var seen: Set<[String]> = []
        while let path = queue.first {
            queue.removeFirst()
            guard seen.insert(path).inserted else { continue }
            let help = try audit.bare(["help"] + path)
            #expect(help.stdout.contains("用法："), "help \(path): \(help)")
            if !path.isEmpty { try audit.bare(path + ["--help"]) }
            for name in try subcommands(of: path, help: help.stdout) { queue.append(path + [name]) }
        }
        #expect(seen.count > 40, "the tree: \(seen.count) commands")
        try audit.bare([])
        // The language flag wins over an English locale.
        try audit.bare(["help", "hub", "resolve", "--lang", "zh"], env: ["LANG": "en_US.UTF-8"])
        audit.expectClean()
    }

    @Test("every clerk command and its error paths under zh, on one node without a hub")
    func clerkCommands() throws {
        let tmp = TempDir("zh-clerk")
        defer { tmp.remove() }
        let audit = ChineseAudit()
        audit.known = [tmp.path, "bz"]
        audit.commands = try helpCommands()
        let dir = HamletDir(tmp.file("bz"))

        // init and its mistakes.
        try audit.run(dir, ["init", "--node", "bz", "--village", "北赵"])
        try audit.run(dir, ["init", "--node", "bz", "--village", "北赵"], exit: 65)
        try audit.run(HamletDir(tmp.file("x1")), ["init", "--village", "北赵"], exit: 64)
        try audit.run(HamletDir(tmp.file("x2")), ["init", "--node", "北赵一", "--village", "北赵"], exit: 64)
        try audit.run(HamletDir(tmp.file("x3")), ["init", "--node", "bz"], exit: 64)
        try audit.run(HamletDir(tmp.file("x4")), ["init", "--node", "bz", "--village", "北赵", "--secret-file", tmp.file("无.secret")], exit: 66)

        // add every table, with labels for enum values.
        let home = try audit.id(dir, ["add", "household", "--address", "北赵村三组12号", "--phone", "13800000000"])
        let zhang = try audit.id(dir, ["add", "person", "--name", "张丽", "--sex", "女", "--birth-date", "1990/3/2",
                                       "--national-id", "370481199003021224", "--household", home, "--marital-status", "已婚"])
        let wang = try audit.id(dir, Registry.person("王强", sex: "M", birth: "1988-08-08", sequence: 3, household: home))
        let child = try audit.id(dir, Registry.person("王小丽", birth: "2015-06-01", sequence: 4, household: home) + ["--mother", "张丽", "--father", wang])
        try audit.run(dir, ["edit", "household", home, "--head", "张丽"])
        let event = try audit.id(dir, ["add", "event", "--person", child, "--kind", "出生", "--date", "2015年6月1日"])
        try audit.id(dir, ["add", "visit", "--person", "张丽", "--kind", "体检", "--date", "20240501", "--result", "血压正常"])
        try audit.id(dir, ["add", "benefit", "--person", "张丽", "--program", "国家奖扶", "--amount", "96000", "--status", "已发放",
                           "--paid-on", "2024-03-01", "--lifecycle", "新增"])
        try audit.id(dir, ["add", "pregnancy", "--woman", "张丽", "--found-on", "2024-02-01", "--responsible", "李医生"])
        try audit.id(dir, ["add", "contraception", "--person", "张丽", "--method", "上环", "--since", "2016-01-01"])
        let visit = try audit.id(dir, ["add", "visit", "--person", "王强", "--kind", "随访", "--date", "2024-06-01"])
        // A birth that closes the mother's pregnancy (a note on stderr), and her children with their 孩次 in show.
        try audit.id(dir, Registry.person("王小宝", sex: "M", birth: "2024-09-01", sequence: 8, household: home) + ["--mother", "张丽"])

        // Reading: list every table (labels, names), --all, --where, a cut list; show; status; log.
        for t in ["households", "people", "events", "visits", "benefits", "pregnancies", "contraception"] {
            try audit.run(dir, ["list", t])
            try audit.run(dir, ["list", t, "--all"])
        }
        try audit.run(dir, ["list", "人口"])
        try audit.run(dir, ["list", "people", "--where", "name^=王", "--where", "birth_date>=1980-01-01"])
        try audit.run(dir, ["list", "people", "--where", "性别=女"])
        try audit.run(dir, ["list", "people", "--limit", "1"])
        try audit.run(dir, ["list", "people", "--codes"])
        try audit.run(dir, ["list", "people", "--json"])
        for (t, id) in [("person", zhang), ("household", home), ("event", event), ("visit", visit)] {
            try audit.run(dir, ["show", t, id])
        }
        try audit.run(dir, ["show", "person", "张丽"])
        try audit.run(dir, ["status"])
        try audit.run(dir, ["log"])
        try audit.run(dir, ["log", "--pending"])

        // Writing: edit, delete; the same 身份证号 again (refused, then --force).
        try audit.run(dir, ["edit", "person", zhang, "--phone", "13900000000"])
        try audit.run(dir, ["delete", "visit", visit])
        try audit.run(dir, ["add", "person", "--name", "张丽丽", "--sex", "女", "--birth-date", "1990-03-02",
                            "--national-id", "370481199003021224"], exit: 65)
        try audit.run(dir, ["add", "person", "--name", "张丽丽", "--sex", "女", "--birth-date", "1990-03-02",
                            "--national-id", "370481199003021224", "--force"])
        try audit.run(dir, ["edit", "person", wang, "--national-id", "370481199003021224"], exit: 65)

        // Every validation code a clerk can reach at the keyboard.
        let person = ["add", "person", "--sex", "女", "--birth-date", "1990-03-02"]
        try audit.run(dir, person, exit: 65)                                                       // missing-field
        try audit.run(dir, person + ["--name", "张\u{07}丽"], exit: 65)                              // invalid-text
        try audit.run(dir, person + ["--name", String(repeating: "张", count: 41)], exit: 65)        // too-long
        try audit.run(dir, ["add", "person", "--name", "李四", "--sex", "女", "--birth-date", "1990-02-30"], exit: 65)  // invalid-date
        try audit.run(dir, ["add", "person", "--name", "李四", "--sex", "不详", "--birth-date", "1990-02-03"], exit: 65)  // invalid-enum
        for bad in ["12345", "37048119900302122２", "000000199003021224", "370481199013021224", "370481199003021225"] {
            try audit.run(dir, person + ["--name", "李四", "--national-id", bad], exit: 65)   // invalid-national-id, each reason
        }
        try audit.run(dir, person + ["--name", "李四", "--phone", "12345"], exit: 65)           // invalid-phone
        try audit.run(dir, ["add", "person", "--name", "李四", "--sex", "男", "--birth-date", "1991-01-01",
                            "--national-id", "370481199003021224", "--force"], exit: 65)      // birth-date and sex mismatch
        try audit.run(dir, ["add", "event", "--person", child, "--kind", "死亡", "--date", "2000-01-01"], exit: 65)  // date-before-birth
        try audit.run(dir, ["add", "person", "--sex", "女", "--name", "李四", "--birth-date", "2020-01-01", "--mother", "王小丽"], exit: 65)  // parent-too-young
        try audit.run(dir, ["add", "benefit", "--program", "国家奖扶", "--amount", "100"], exit: 65)    // missing-one-of
        try audit.run(dir, ["add", "benefit", "--person", zhang, "--program", "国家奖扶", "--amount", "100", "--status", "已发放"], exit: 65)  // required when paid
        try audit.run(dir, ["add", "benefit", "--person", zhang, "--program", "国家奖扶", "--amount", "100", "--lifecycle", "退出"], exit: 65)  // required when ended
        try audit.run(dir, ["add", "benefit", "--person", zhang, "--program", "别的", "--amount", "100"], exit: 65)     // not one of the programs
        try audit.run(dir, ["add", "benefit", "--person", zhang, "--program", "国家奖扶", "--amount", "一百"], exit: 65)  // invalid-integer
        try audit.run(dir, ["add", "benefit", "--person", zhang, "--program", "国家奖扶", "--amount=-5"], exit: 65)      // out-of-range
        try audit.run(dir, ["add", "benefit", "--person", zhang, "--program", "国家奖扶", "--amount", "100", "--account-last4", "１２"], exit: 65)
        try audit.run(dir, ["add", "visit", "--person", "99999999", "--kind", "体检", "--date", "2024-01-01"], exit: 65)  // missing-reference
        try audit.run(dir, ["add", "visit", "--person", "查无此人", "--kind", "体检", "--date", "2024-01-01"], exit: 65)
        try audit.id(dir, Registry.person("李娜", birth: "1985-01-01", sequence: 5))
        try audit.id(dir, Registry.person("李娜", birth: "1986-01-01", sequence: 6))
        try audit.run(dir, ["add", "visit", "--person", "李娜", "--kind", "体检", "--date", "2024-01-01"], exit: 65)  // ambiguous-reference

        // Row errors: not found, referenced, out of scope, no change.
        try audit.run(dir, ["show", "person", "99999999"], exit: 66)
        try audit.run(dir, ["edit", "person", "99999999", "--phone", "13900000000"], exit: 66)
        try audit.run(dir, ["delete", "visit", "99999999"], exit: 66)
        try audit.run(dir, ["delete", "household", home], exit: 65)
        try audit.run(dir, ["edit", "person", zhang, "--phone", "13900000000"], exit: 65)
        try audit.run(dir, ["edit", "person", zhang], exit: 64)
        // 迁出 / 迁入 (issue 15): the refusals, an empty 待接收 list, then one move.
        try audit.run(dir, ["move", "person", zhang, "--to", "北赵"], exit: 65)
        try audit.run(dir, ["move", "person", zhang, "--to", "南赵", "--reason", "逃跑"], exit: 65)
        try audit.run(dir, ["move", "person", zhang, "--to", "南赵", "--date", "2100-01-01"], exit: 65)
        try audit.run(dir, ["move", "person", zhang, "--to", "南赵", "--date", "2026-02-30"], exit: 65)
        try audit.run(dir, ["move", "person", "99999999", "--to", "南赵"], exit: 66)
        try audit.run(dir, ["arrivals"])
        try audit.run(dir, ["receive", "person", zhang], exit: 64)
        try audit.run(dir, ["receive", "person", zhang, "--household", home], exit: 65)
        let leaving = try audit.id(dir, Registry.person("赵燕", birth: "1996-05-05", sequence: 9))
        try audit.run(dir, ["move", "person", leaving, "--to", "南赵", "--reason", "务工"])
        try audit.run(dir, ["move", "person", leaving, "--to", "南赵"], exit: 66)

        // Usage: the parser's every code, and the commands' own checks.
        try audit.run(dir, ["list", "people", "--bogus"], exit: 64)
        try audit.run(dir, ["乱写"], exit: 64)
        try audit.run(dir, ["list", "people", "--limit"], exit: 64)
        try audit.run(dir, ["status", "--json=1"], exit: 64)
        try audit.run(dir, ["status", "--lang", "zh", "--lang", "zh"], exit: 64)
        try audit.run(dir, ["show", "person"], exit: 64)
        try audit.run(dir, ["status", "多余"], exit: 64)
        try audit.run(dir, ["add"], exit: nil)
        try audit.run(dir, ["list", "不存在"], exit: 64)
        try audit.run(dir, ["list", "people", "--where", "不存在=1"], exit: 64)
        try audit.run(dir, ["list", "people", "--where", "姓名"], exit: 64)
        try audit.run(dir, ["list", "people", "--where", "姓名~王"], exit: 64)
        try audit.run(dir, ["list", "benefits", "--where", "amount>=一百"], exit: 64)
        try audit.run(dir, ["list", "people", "--limit", "很多"], exit: 64)
        try audit.run(HamletDir(tmp.file("empty")), ["list", "people"], exit: 66)
        try audit.run(HamletDir(tmp.file("empty")), ["status"], exit: 66)

        // Sync without a hub.
        try audit.run(dir, ["sync"], exit: 64)
        try audit.run(dir, ["verify"], exit: 64)
        try audit.run(dir, ["resync"], exit: 64)

        // Import: a folder with Chinese headers and labels, a dry run, bad rows, bad files, missing things.
        let seeds = tmp.file("sheets")
        _ = try write(tmp, "sheets/人口.csv", "姓名,性别,出生日期,身份证号,婚姻状况\n赵敏,女,1992/5/17,\(Registry.nationalID(birth: "1992-05-17", sex: "F", sequence: 9)),已婚\n钱多,男,1990-02-30,,\n")
        _ = try write(tmp, "sheets/说明.csv", "随便\n")
        try audit.run(dir, ["import", seeds, "--dry-run"], exit: 65)
        try audit.run(dir, ["import", seeds], exit: 65)
        try audit.run(dir, ["import", seeds], exit: 65)
        let badHeader = try write(tmp, "bad/people.csv", "姓名,不知道\n赵四,1\n")
        try audit.run(dir, ["import", "people", "--file", badHeader], exit: 65)
        try audit.run(dir, ["import", "people", "--file", tmp.file("无此文件.csv")], exit: 66)
        try audit.run(dir, ["import", "不存在", "--file", badHeader], exit: 64)
        try audit.run(dir, ["import", "people"], exit: 64)
        try audit.run(dir, ["import", tmp.file("无此文件夹")], exit: 66)
        try FileManager.default.createDirectory(atPath: tmp.file("空"), withIntermediateDirectories: true)
        try audit.run(dir, ["import", tmp.file("空")], exit: 66)
        let exported = try write(tmp, "ok/benefits.csv", "人员,项目,金额（元）,状态\n张丽,国家奖扶,960.5,符合条件\n")
        try audit.run(dir, ["import", "benefits", "--file", exported])

        // seed: CSV files, and a hub.
        try audit.run(dir, ["seed", "--csv", tmp.file("seed-csv"), "--villages", "1", "--people", "5"])
        let seedHub = HamletDir(tmp.file("seed-hub"))
        try audit.run(seedHub, ["hub", "init"])
        try audit.run(seedHub, ["seed", "--villages", "1", "--people", "5"])

        // --lang zh under an English locale.
        try audit.run(dir, ["status", "--lang", "zh"], env: ["LANG": "en_US.UTF-8"])
        try audit.run(dir, ["show", "person", "--lang", "zh"], exit: 64, env: ["LANG": "en_US.UTF-8"])
        audit.expectClean()
    }

    @Test("every hub command, sync and the operator's error paths under zh, in a township of three nodes")
    func hubCommands() throws {
        let audit = ChineseAudit()
        let town = try ProcTownship("zh-hub", nodes: [("bz1", "北赵"), ("bz2", "北赵"), ("nz", "南赵")])
        defer { town.finish() }
        let hubID = try town.store().hubID()
        audit.known = [town.tmp.path, "bz1", "bz2", "nz", "bz3", "bz5", hubID, town.proxy.address]
        audit.commands = try helpCommands()
        let hub = town.hub, bz1 = town["bz1"], bz2 = town["bz2"], nz = town["nz"]

        // Setting up: init, add-node and their mistakes.
        let spare = HamletDir(town.tmp.file("spare-hub"))
        try audit.run(spare, ["hub", "init"])
        try audit.run(spare, ["hub", "init"], exit: 65)
        try audit.run(HamletDir(town.tmp.file("tz-hub")), ["hub", "init", "--time-zone", "火星"], exit: 64)
        try audit.run(spare, ["hub", "add-node", "bz3", "--village", "北赵", "--secret-out", town.tmp.file("bz3.secret")])
        try audit.run(spare, ["hub", "add-node", "bz3", "--village", "北赵", "--secret-out", town.tmp.file("bz3b.secret")], exit: 65)
        try audit.run(spare, ["hub", "add-node", "bz3", "--rotate", "--secret-out", town.tmp.file("bz3.secret")], exit: 65)
        try audit.run(spare, ["hub", "add-node", "bz3", "--rotate", "--secret-out", town.tmp.file("bz3c.secret")])
        // A rotation for a node never registered fails before writing anything; a plain add-node then works.
        try audit.run(spare, ["hub", "add-node", "bz5", "--rotate", "--secret-out", town.tmp.file("bz5.secret")], exit: 66)
        #expect(!FileManager.default.fileExists(atPath: town.tmp.file("bz5.secret")))
        try audit.run(spare, ["hub", "add-node", "bz5", "--village", "北赵", "--secret-out", town.tmp.file("bz5.secret")])
        try audit.run(spare, ["hub", "add-node", "北赵", "--village", "北赵", "--secret-out", town.tmp.file("x.secret")], exit: 64)
        try audit.run(spare, ["hub", "add-node", "bz4", "--village", "北赵"], exit: 64)
        try audit.run(spare, ["hub", "add-node", "bz4", "--secret-out", town.tmp.file("bz4.secret")], exit: 64)

        // The conflicts of OperatorCLITests: a duplicate, field races, deletes racing edits.
        let home = try audit.id(bz1, ["add", "household", "--address", "北赵村三组12号", "--phone", "13800000000"])
        let zhang = try audit.id(bz1, ["add", "person", "--name", "张丽", "--sex", "女", "--birth-date", "1990-03-02",
                                       "--national-id", "370481199003021224", "--household", home])
        let li = try audit.id(bz1, Registry.person("李娜", birth: "1985-01-01", sequence: 5))
        let wang = try audit.id(bz1, Registry.person("王五", sex: "M", birth: "1970-06-06", sequence: 7))
        let sun = try audit.id(bz1, Registry.person("孙七", birth: "1977-07-17", sequence: 9))
        let zhangAgain = try audit.id(bz2, ["add", "person", "--name", "张丽", "--sex", "女", "--birth-date", "1990-03-02",
                                            "--national-id", "370481199003021224", "--phone", "13600000000"])
        try audit.id(bz2, ["add", "visit", "--person", zhangAgain, "--kind", "体检", "--date", "2024-03-01"])
        let liNZ = try audit.id(nz, Registry.person("李娜", birth: "1985-01-01", sequence: 5))
        for n in [bz1, bz2, nz] { try audit.run(n, ["sync"]) }
        try audit.run(bz1, ["edit", "person", zhang, "--phone", "13900000001"])
        try audit.run(bz2, ["edit", "person", zhang, "--phone", "13900000002"])
        try audit.run(bz1, ["edit", "person", wang, "--marital-status", "已婚"])
        try audit.run(bz2, ["edit", "person", wang, "--marital-status", "丧偶"])
        try audit.run(bz1, ["delete", "person", li])
        try audit.run(bz2, ["edit", "person", li, "--marital-status", "已婚"])
        try audit.run(bz1, ["delete", "person", sun])
        try audit.run(bz2, ["edit", "person", sun, "--phone", "13500000000"])
        // A change the hub refuses: the operator moves a birth date past an event bz1 is about to add.
        try audit.run(hub, ["hub", "edit", "person", wang, "--birth-date", "1980-06-06", "--national-id", ""], exit: nil)
        try audit.id(bz1, ["add", "event", "--person", wang, "--kind", "结婚", "--date", "1975-01-01"])
        for n in [bz2, bz1, bz2, nz] { try audit.run(n, ["sync"]) }
        try audit.run(bz1, ["sync", "--no-verify"])
        try audit.run(bz1, ["status"])
        try audit.run(bz1, ["log"])
        try audit.run(bz1, ["show", "person", zhang])
        try audit.run(bz1, ["verify"])
        try audit.run(bz2, ["resync"])
        try audit.run(bz2, ["status"])

        let all = try hub.run(["hub", "conflicts", "--json"]).decode([ConflictRecord].self)
        func find(_ what: String, _ match: (ConflictRecord) -> Bool) throws -> Int64 {
            let hit = all.first(where: match)
            return try #require(hit, "\(what) among \(all.map { "\($0.kind) \($0.field ?? "")" })").id
        }
        let phone = try find("phone") { $0.kind == .field && $0.row == zhang && $0.field == "phone" }
        let marital = try find("marital status") { $0.kind == .field && $0.row == wang }
        let deleteLi = try find("delete 李娜") { $0.kind == .delete && $0.row == li }
        let deleteSun = try find("delete 孙七") { $0.kind == .delete && $0.row == sun }
        let duplicate = try find("duplicate 张丽") { $0.kind == .duplicate && $0.village == "北赵" }
        let duplicateNZ = try find("duplicate 李娜") { $0.kind == .duplicate && $0.village == "南赵" }

        // Reading conflicts.
        try audit.run(hub, ["hub", "conflicts"])
        for k in ["field", "delete", "duplicate"] { try audit.run(hub, ["hub", "conflicts", "--kind", k]) }
        try audit.run(hub, ["hub", "conflicts", "--village", "南赵"])
        try audit.run(hub, ["hub", "conflicts", "--kind", "其他"], exit: 64)
        for id in [phone, marital, deleteLi, deleteSun, duplicate, duplicateNZ] { try audit.run(hub, ["hub", "conflict", String(id)]) }
        try audit.run(hub, ["hub", "conflict", "9999"], exit: 66)
        try audit.run(hub, ["hub", "conflict", "第一个"], exit: 64)

        // Resolving, and each way it is refused.
        try audit.run(hub, ["hub", "resolve", String(phone)], exit: 64)
        try audit.run(hub, ["hub", "resolve", String(phone), "--take", "两个"], exit: 64)
        try audit.run(hub, ["hub", "resolve", String(phone), "--value", "号码"], exit: 64)
        try audit.run(hub, ["hub", "resolve", String(phone), "--value", "name=王"], exit: 64)
        try audit.run(hub, ["hub", "resolve", String(phone), "--value", "phone=123"], exit: 65)
        try audit.run(hub, ["hub", "resolve", String(phone), "--take", "village", "--expect-version", "1"], exit: 65)
        try audit.run(hub, ["hub", "resolve", String(phone), "--take", "village", "--note", "电话已核实", "--operator", "镇管理员"])
        try audit.run(hub, ["hub", "resolve", String(phone), "--take", "hub"], exit: 65)
        try audit.run(hub, ["hub", "conflict", String(phone)])
        try audit.run(hub, ["hub", "resolve", String(marital), "--value", "marital_status=丧偶"])
        try audit.run(hub, ["hub", "conflict", String(marital)])
        try audit.run(hub, ["hub", "resolve", String(deleteLi), "--keep", "--delete"], exit: 64)
        try audit.run(hub, ["hub", "resolve", String(deleteLi), "--keep"])
        try audit.run(hub, ["hub", "resolve", String(deleteSun), "--delete"])
        try audit.run(hub, ["hub", "resolve", String(duplicate), "--take", "village"], exit: 65)
        try audit.run(hub, ["hub", "resolve", "9999", "--keep"], exit: 66)

        // Merging, undoing, dismissing.
        try audit.run(hub, ["hub", "merge", String(duplicate), "--dry-run"])
        try audit.run(hub, ["hub", "merge", String(phone)], exit: 65)
        try audit.run(hub, ["hub", "merge", String(duplicate), "--field", "电话"], exit: 64)
        try audit.run(hub, ["hub", "merge", String(duplicate), "--keep", "12345678"], exit: 65)
        try audit.run(hub, ["hub", "unmerge", String(duplicate)], exit: 65)
        try audit.run(hub, ["hub", "merge", String(duplicate), "--keep", zhang, "--field", "phone=\(zhangAgain)", "--note", "同一人"])
        try audit.run(hub, ["hub", "conflict", String(duplicate)])
        try audit.run(hub, ["hub", "merge", String(duplicate)], exit: 65)
        try audit.run(hub, ["hub", "unmerge", String(duplicate), "--note", "合并错了"])
        try audit.run(hub, ["hub", "dismiss", String(duplicateNZ)], exit: 64)
        try audit.run(hub, ["hub", "dismiss", "9999", "--note", "核实"], exit: 66)
        try audit.run(hub, ["hub", "dismiss", String(marital), "--note", "核实"], exit: 65)
        try audit.run(hub, ["hub", "dismiss", String(duplicateNZ), "--note", "已按户口本核实是两个人"])
        try audit.run(hub, ["hub", "dismiss", String(duplicateNZ), "--note", "再次"], exit: 65)
        try audit.run(hub, ["hub", "conflict", String(duplicateNZ)])
        try audit.run(hub, ["hub", "conflicts", "--all"])

        // Direct corrections.
        try audit.run(hub, ["hub", "edit", "person", zhang, "--current-address", "北赵村四组", "--note", "按户口本更正"])
        try audit.run(hub, ["hub", "edit", "person", zhang, "--marital-status", "已婚"])
        try audit.run(hub, ["hub", "edit", "person", zhang, "--marital-status", "已婚"], exit: 65)
        try audit.run(hub, ["hub", "edit", "person", zhang, "--phone", "13700000000", "--expect-version", "1"], exit: 65)
        try audit.run(hub, ["hub", "edit", "person", zhang, "--phone", "13700000000", "--expect-version", "最新"], exit: 64)
        try audit.run(hub, ["hub", "edit", "person", zhang, "--sex", "男"], exit: 65)
        try audit.run(hub, ["hub", "edit", "person", zhang, "--household", "12345678"], exit: 65)
        try audit.run(hub, ["hub", "edit", "person", zhang, "--household", "01a20823-0000-7e39-92de-a1f1e19489a0"], exit: 65)
        try audit.run(hub, ["hub", "edit", "person", zhang], exit: 64)
        try audit.run(hub, ["hub", "edit", "person", "01a20823-0000-7e39-92de-a1f1e19489a0", "--phone", "13700000000"], exit: 66)
        try audit.run(hub, ["hub", "edit", "person", sun, "--phone", "13700000000"], exit: 65)

        // Nodes, history, export, backup, schema.
        try audit.run(hub, ["hub", "nodes"])
        try audit.run(hub, ["hub", "history", "person", zhang])
        try audit.run(hub, ["hub", "history", "household", home])
        try audit.run(hub, ["hub", "history", "person", "01a20823-0000-7e39-92de-a1f1e19489a0"], exit: 66)
        for t in ["people", "households", "events", "visits", "benefits", "pregnancies", "contraception"] {
            try audit.run(hub, ["hub", "export", t])
        }
        try audit.run(hub, ["hub", "export", "people", "--village", "北赵", "--deleted"])
        try audit.run(hub, ["hub", "export", "people", "--format", "ods"], exit: 64)
        try audit.run(hub, ["hub", "export", "不存在"], exit: 64)
        let csv = try audit.run(hub, ["hub", "export", "people"])
        let sheet = try CSVTable.read(bytes: [UInt8](csv.stdoutData))
        #expect(sheet.header.first == "编号" && sheet.header.contains("身份证号") && sheet.header.contains("性别"), "\(sheet.header)")
        #expect(sheet.rows.contains { $0.fields["性别"] == "女" } && !sheet.rows.contains { $0.fields["性别"] == "F" })
        let xlsx = try audit.run(hub, ["hub", "export", "people", "--format", "xlsx"])
        let book = try SheetFile.read(bytes: [UInt8](xlsx.stdoutData), name: "people.xlsx")
        #expect(book.header.first == "编号" && book.rows.contains { $0.fields["婚姻状况"] == "已婚" }, "\(book.header)")
        // What an export under zh writes, a clerk's import reads back.
        try audit.run(bz1, ["import", "people", "--file", try write(town.tmp, "export/people.csv", csv.stdout), "--dry-run"], exit: nil)
        try audit.run(hub, ["hub", "backup", "--to", town.tmp.file("backup")])
        try audit.run(hub, ["hub", "backup", "--to", town.tmp.file("backup")], exit: 65)
        try audit.run(hub, ["hub", "backup"], exit: 64)
        try audit.run(hub, ["hub", "schema"])
        try audit.run(hub, ["hub", "schema", "--file", town.tmp.file("无.json")], exit: 75)  // refused while serving
        try audit.run(spare, ["hub", "schema", "--file", try write(town.tmp, "schema-bad.json", "{不是结构")], exit: 65)
        try audit.run(spare, ["hub", "schema", "--file", town.tmp.file("无.json")], exit: 66)
        // A deployment's schema: one field more, and a field renamed (refused).
        var schema = try #require(try JSONSerialization.jsonObject(with: try audit.run(spare, ["hub", "schema"]).stdoutData) as? [String: Any])
        schema["version"] = (schema["version"] as? Int ?? 2) + 1
        var tables = try #require(schema["tables"] as? [[String: Any]])
        var fields = try #require(tables[1]["fields"] as? [[String: Any]])
        fields.append(["name": "nickname", "type": "text", "label": ["zh": "小名", "en": "nickname"]])
        tables[1]["fields"] = fields
        schema["tables"] = tables
        let newer = try JSONSerialization.data(withJSONObject: schema)
        try audit.run(spare, ["hub", "schema", "--file", try write(town.tmp, "schema-3.json", String(decoding: newer, as: UTF8.self)), "--dry-run"])
        let phoneField = try #require(fields.firstIndex { $0["name"] as? String == "phone" })
        fields[phoneField]["type"] = "text"
        tables[1]["fields"] = fields
        schema["tables"] = tables
        let renamed = try JSONSerialization.data(withJSONObject: schema)
        try audit.run(spare, ["hub", "schema", "--file", try write(town.tmp, "schema-x.json", String(decoding: renamed, as: UTF8.self))], exit: 65)

        // hub serve's own refusals, and its start under zh.
        try audit.run(spare, ["hub", "serve", "--listen", "某处"], exit: 64)
        try audit.run(spare, ["hub", "serve", "--listen", "127.0.0.1:0", "--web", "0.0.0.0:0"], exit: 64)
        try audit.run(spare, ["hub", "serve", "--listen", "127.0.0.1:0", "--web", "127.0.0.1:0",
                              "--token-file", try write(town.tmp, "short.token", "短")], exit: 64)
        let served = try spare.start(["hub", "serve", "--listen", "127.0.0.1:0", "--web", "127.0.0.1:0"], env: audit.env)
        #expect(served.waitForLine(prefix: "web ", in: .stdout, timeout: .seconds(15)) != nil)
        served.terminate()
        let servedResult = served.wait(timeout: .seconds(15))
        #expect(servedResult.status == 0)
        audit.check("hamlet hub serve", servedResult, stderr: false)  // its stderr is the hub's log: English codes by design

        // The outcomes reach the nodes; unreachable and refused hubs.
        for n in [bz1, bz2, nz] { try audit.run(n, ["sync"]) }
        try audit.run(bz1, ["show", "person", zhang])
        try audit.run(bz1, ["log"])
        try audit.run(bz1, ["status"])
        let watch = try bz1.start(["sync", "--watch", "--interval", "1"], env: audit.env)
        _ = watch.waitForLine(in: .stderr, timeout: .seconds(10)) { $0.contains("同步") && !$0.hasPrefix("持续") }
        watch.terminate()
        audit.check("hamlet sync --watch", watch.wait(timeout: .seconds(15)))
        let lost = HamletDir(town.tmp.file("lost"))
        try audit.run(lost, ["init", "--node", "bz1", "--village", "北赵", "--hub", "127.0.0.1:1", "--secret-file", town.secretPath("bz1")])
        try audit.run(lost, ["sync"], exit: 75)
        let wrong = HamletDir(town.tmp.file("wrong"))
        try audit.run(wrong, ["init", "--node", "bz1", "--village", "北赵", "--hub", town.proxy.address,
                              "--secret-file", town.tmp.file("bz3c.secret")])
        try audit.run(wrong, ["sync"], exit: 77)
        let other = HamletDir(town.tmp.file("other"))
        try audit.run(other, ["init", "--node", "bz1", "--village", "东赵", "--hub", town.proxy.address,
                              "--secret-file", town.secretPath("bz1")])
        try audit.run(other, ["sync"], exit: 77)
        audit.expectClean()
    }
}

/// Every command name in the tree, read from the help's subcommand lists.
private func helpCommands() throws -> Set<String> {
    var names: Set<String> = ["hamlet", "help"]
    var queue: [[String]] = [[]]
    var seen: Set<[String]> = []
    while let path = queue.first {
        queue.removeFirst()
        guard seen.insert(path).inserted else { continue }
        for name in try subcommands(of: path) {
            names.insert(name)
            queue.append(path + [name])
        }
    }
    return names
}

/// The subcommand names `hamlet help PATH` lists.
private func subcommands(of path: [String], help: String? = nil) throws -> [String] {
    let text = try help ?? Hamlet.run(["help"] + path, env: ["LANG": "zh_CN.UTF-8"]).stdout
    var names: [String] = []
    var inSubcommands = false
    for line in text.components(separatedBy: "\n") {
        if line == "子命令：" { inSubcommands = true; continue }
        if line.isEmpty { inSubcommands = false; continue }
        if inSubcommands, let m = line.firstMatch(of: /^  ([a-z][a-z0-9-]*)/) { names.append(String(m.1)) }
    }
    return names
}
