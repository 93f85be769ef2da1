import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

// Issue 16, item 4 through the built binary and the hub's store: a name a spreadsheet would run as a formula
// is exported neutralised and re-imported exactly; a name with an invisible character is refused at entry
// (exit 65, the code point named) and, arriving at the hub, only that change is rejected with a stable code.

/// Names a spreadsheet would run: the issue's three, and a dash a clerk might type.
private let formulaNames = ["=cmd|' /C calc'!A0", "@SUM(1+1)", "=HYPERLINK(\"http://x\")", "-李雷", "+86王芳"]

/// A hub holding one 北赵 person per formula name, each written by node `bz` through the merge.
private func formulaHub(_ tmp: TempDir) throws -> (dir: HamletDir, ids: [String: String]) {
    let dir = HamletDir(tmp.file("hub"))
    let store = try HubStore.create(directory: dir.path)
    defer { store.close() }
    let now = wallMillisNow()
    try store.addNode(id: "bz", village: "北赵", secretHash: String(repeating: "0", count: 64), wallMillis: now)
    var rng = SystemRandomNumberGenerator()
    var ids: [String: String] = [:]
    var changes: [Change] = []
    for (k, name) in formulaNames.enumerated() {
        let values: [String: String] = ["village": "北赵", "name": name, "sex": "F", "birth_date": "1990-03-1\(k)"]
        let row = RowID.make(unixMillis: now, using: &rng)
        ids[row] = name
        changes.append(Change(node: "bz", seq: Int64(k + 1), table: "people", row: row, op: .put,
                              values: values.mapValues { .text($0) }, bases: values.mapValues { _ in 0 }, rowBase: 0,
                              hlc: HLC(wall: now + Int64(k), counter: 0, node: "bz"), author: "clerk", epoch: ""))
    }
    let results = try store.reconcile(changes, from: BatchSource(node: "bz", village: "北赵"), wallMillis: now)
    try #require(results.allSatisfy { $0.status.rawValue != "rejected" }, "\(results)")
    return (dir, ids)
}

@Suite("Text safety through the binary (issue 16, item 4)", .serialized)
struct TextSafetyCLITests {
    @Test("hub export neutralises formula names (English and Chinese) and an import brings every name back exactly")
    func formulaNamesRoundTrip() throws {
        let tmp = TempDir("text-formula")
        defer { tmp.remove() }
        let (hub, ids) = try formulaHub(tmp)
        for lang in ["en", "zh"] {
            let r = try hub.run(["hub", "export", "people", "--lang", lang])
            try #require(r.status == 0, "\(r)")
            let table = try CSVTable.read(bytes: [UInt8](r.stdoutData))
            let column = lang == "zh" ? "姓名" : "name"
            for row in table.rows {
                let cell = row.fields[column] ?? ""
                #expect(cell.hasPrefix("'"), "\(lang): \(cell) must not start a formula")
                #expect(!["=", "+", "-", "@"].contains(cell.first.map(String.init) ?? ""))
            }
            // Re-imported by the village's node, every name comes back exactly as the hub holds it.
            let node = HamletDir(tmp.file("node-\(lang)"))
            try #require(try node.run(["init", "--node", "bz-\(lang)", "--village", "北赵"]).status == 0)
            let file = tmp.file("people-\(lang).csv")
            try r.stdoutData.write(to: URL(fileURLWithPath: file))
            let imported = try node.run(["import", "people", "--file", file, "--lang", lang])
            #expect(imported.status == 0, "\(imported)")
            let rows = try node.rows("people")
            #expect(rows.count == ids.count)
            for (id, name) in ids { #expect(rows[id]?["name"] == name, "\(lang): \(name)") }
        }
    }

    @Test("add person with an invisible character in the name exits 65 naming U+200B, not the name; edge spaces are trimmed")
    func entryRefusesInvisible() throws {
        let tmp = TempDir("text-entry")
        defer { tmp.remove() }
        let node = HamletDir(tmp.file("node"))
        try #require(try node.run(["init", "--node", "bz", "--village", "北赵"]).status == 0)
        let base = ["add", "person", "--sex", "女", "--birth-date", "1990-03-12"]
        for (name, point) in [("李\u{200B}雷", "U+200B"), ("李雷\u{202E}", "U+202E"), ("\u{FEFF}李雷", "U+FEFF"), ("李\u{2028}雷", "U+2028")] {
            for lang in ["zh", "en"] {
                let r = try node.run(base + ["--name", name, "--lang", lang])
                #expect(r.status == 65, "\(lang) \(point): \(r)")
                #expect(r.stderr.contains(point) && r.stderr.contains("forbidden-character"), "\(r.stderr)")
                #expect(!r.stderr.contains(name), "the name is not echoed")
                #expect(r.stderr.contains(lang == "zh" ? "姓名" : "name"), "the field is named")
            }
        }
        #expect(try node.rows("people").isEmpty, "nothing was added")
        let ok = try node.run(base + ["--name", "\u{A0}李雷 \u{3000}"])
        #expect(ok.status == 0, "\(ok)")
        #expect(try node.rows("people").values.map { $0["name"] } == ["李雷"])
    }

    @Test("a village typed at init or add-node is checked too: every row it stamps would otherwise be refused")
    func villageOptions() throws {
        let tmp = TempDir("text-village")
        defer { tmp.remove() }
        let node = HamletDir(tmp.file("node"))
        let r = try node.run(["init", "--node", "bz", "--village", "北\u{200B}赵"])
        #expect(r.status == 65 && r.stderr.contains("U+200B"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: node.file("replica.sqlite")), "no replica made")
        let hub = HamletDir(tmp.file("hub"))
        try #require(try hub.run(["hub", "init"]).status == 0)
        let add = try hub.run(["hub", "add-node", "bz", "--village", "\u{202E}北赵", "--secret-out", tmp.file("bz.secret")])
        #expect(add.status == 65 && add.stderr.contains("U+202E"), "\(add)")
        let ok = try node.run(["init", "--node", "bz", "--village", "北赵\u{3000}"])
        #expect(ok.status == 0, "\(ok)")
        let added = try node.run(["add", "person", "--name", "王芳", "--sex", "女", "--birth-date", "1990-03-12"])
        #expect(added.status == 0, "the trimmed village stamps valid rows: \(added)")
    }

    @Test("import of a sheet with a zero-width space in a name reports that row (U+200B), exits 65, and imports the rest")
    func importRefusesInvisible() throws {
        let tmp = TempDir("text-import")
        defer { tmp.remove() }
        let node = HamletDir(tmp.file("node"))
        try #require(try node.run(["init", "--node", "bz", "--village", "北赵"]).status == 0)
        let file = tmp.file("people.csv")
        try Data("姓名,性别,出生日期\r\n王芳,女,1990-03-12\r\n李\u{200B}雷,男,1991-04-01\r\n".utf8).write(to: URL(fileURLWithPath: file))
        let r = try node.run(["import", "people", "--file", file, "--lang", "zh"])
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr.contains("U+200B") && !r.stderr.contains("李\u{200B}雷"), "\(r.stderr)")
        #expect(try node.rows("people").values.map { $0["name"] } == ["王芳"], "the bad row only is left out")
    }

    @Test("at the hub only the change carrying such a name is rejected, with forbidden-character and no name in the message")
    func hubRejectsOnlyTheBadChange() throws {
        let tmp = TempDir("text-hub")
        defer { tmp.remove() }
        let store = try HubStore.create(directory: tmp.file("hub"))
        defer { store.close() }
        let now = wallMillisNow()
        try store.addNode(id: "bz", village: "北赵", secretHash: String(repeating: "0", count: 64), wallMillis: now)
        var rng = SystemRandomNumberGenerator()
        let names = ["王芳", "李\u{200B}雷", "张丽", "赵\u{202E}六", "孙\u{A0}"]
        let changes = names.enumerated().map { k, name in
            let values: [String: String] = ["village": "北赵", "name": name, "sex": "F", "birth_date": "1990-03-12"]
            return Change(node: "bz", seq: Int64(k + 1), table: "people", row: RowID.make(unixMillis: now, using: &rng), op: .put,
                          values: values.mapValues { .text($0) }, bases: values.mapValues { _ in 0 }, rowBase: 0,
                          hlc: HLC(wall: now + Int64(k), counter: 0, node: "bz"), author: "clerk", epoch: "")
        }
        let results = try store.reconcile(changes, from: BatchSource(node: "bz", village: "北赵"), wallMillis: now)
        #expect(results.map(\.status.rawValue) == ["applied", "rejected", "applied", "rejected", "rejected"], "\(results)")
        #expect(results.map(\.code) == [nil, "forbidden-character", nil, "forbidden-character", "invalid-text"])
        #expect(results[1].message?.contains("U+200B") == true && results[3].message?.contains("U+202E") == true)
        #expect(results.allSatisfy { r in !names.contains { r.message?.contains($0) == true } }, "no name on the wire")
    }
}
