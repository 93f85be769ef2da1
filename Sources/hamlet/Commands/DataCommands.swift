import Foundation
import HamletCLI
import HamletCore
import HamletStore

/// CSV import into a replica, and the synthetic township generator.
enum DataCommands {
    /// One refused CSV row.
    struct BadRow: Encodable {
        var line: Int
        var code: String
        var field: String
        var message: String
    }

    /// `--json` shape of an import.
    struct ImportReport: Encodable {
        var table: String
        var imported: Int
        var skippedOtherVillage: Int
        var bad: [BadRow]
        var dryRun: Bool
        enum CodingKeys: String, CodingKey {
            case table, imported, bad
            case skippedOtherVillage = "skipped_other_village"
            case dryRun = "dry_run"
        }
    }

    /// `hamlet import <table> --file F.csv`: every row validated like `hamlet add`;
    /// bad rows are reported by line and skipped, the good rows go in as ordinary
    /// changes in ONE transaction (all of them or, on a storage error, none);
    /// rows of another village are skipped and counted. `--dry-run` writes nothing.
    static func importCSV(_ c: Context) throws {
        let r = try ReplicaCommands.open(c)
        let t = try r.table(try c.argument("table"))
        guard let file = c.invocation.value("file") else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "缺少 --file", en: "--file is required"))
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError(code: "not-found", exit: .notFound, message: Localized(zh: "读不到文件 \(file)", en: "cannot read \(file)"))
        }
        let csv: CSVTable
        switch readCSV([UInt8](data)) {
        case .success(let table): csv = table
        case .failure(let error):
            throw CLIError(code: error.code.rawValue, exit: .invalidData,
                           message: Localized(zh: "第 \(error.line) 行：\(error.messageZH)", en: "line \(error.line): \(error.message)"))
        }
        for h in csv.header where h != "id" && t.field(h) == nil {
            throw CLIError(code: "unknown-field", exit: .invalidData,
                           message: Localized(zh: "表头里的列 \(h) 不是 \(t.name) 的字段", en: "column \(h) is not a field of \(t.name)"),
                           hint: Localized(zh: "可用字段：" + t.fields.map(\.name).joined(separator: ", "), en: "fields: " + t.fields.map(\.name).joined(separator: ", ")))
        }
        let village = try r.info().village
        let dryRun = c.invocation.flag("dry-run")
        var bad: [BadRow] = []
        var imported = 0
        var skipped = 0
        var rng = SystemRandomNumberGenerator()
        let validator = Validator()
        struct DryRun: Error {}
        do {
            try r.write {
                for (line, fields) in csv.rows {
                    var values: Fields = [:]
                    var failed = false
                    for (k, raw) in fields where k != "id" {
                        guard let f = t.field(k) else { continue }
                        do { values[k] = try validator.parse(raw, for: f, table: t.name) } catch let error as ValidationIssue {
                            bad.append(BadRow(line: line, code: error.code.rawValue, field: k, message: error.message(chinese: c.chinese)))
                            failed = true
                        }
                    }
                    if failed { continue }
                    if let v = values["village"]?.text, v != village { skipped += 1; continue }
                    let id = fields["id"].flatMap { $0.isEmpty ? nil : $0 }
                    do {
                        _ = try r.insert(table: t.name, id: id, values: values, author: c.author, wallMillis: c.now, rng: &rng)
                        imported += 1
                    } catch let e as ReplicaError {
                        if e.issues.isEmpty {
                            bad.append(BadRow(line: line, code: e.code.rawValue, field: "", message: e.message))
                        }
                        for i in e.issues {
                            bad.append(BadRow(line: line, code: i.code.rawValue, field: i.field, message: i.message(chinese: c.chinese)))
                        }
                    }
                }
                if dryRun { throw DryRun() }
            }
        } catch is DryRun {}
        let report = ImportReport(table: t.name, imported: imported, skippedOtherVillage: skipped, bad: bad, dryRun: dryRun)
        if c.json {
            Output.json(report)
        } else {
            for b in bad { Output.err(c.t("第 \(b.line) 行 [\(b.code)] \(b.message)\n", "line \(b.line) [\(b.code)] \(b.message)\n")) }
            let verb = dryRun ? c.t("可导入", "would import") : c.t("已导入", "imported")
            Output.out(c.t("\(verb) \(imported) 条，有问题 \(Set(bad.map(\.line)).count) 行，其他村跳过 \(skipped) 行\n",
                           "\(verb) \(imported) row(s); \(Set(bad.map(\.line)).count) bad row(s); \(skipped) row(s) of other villages skipped\n"))
        }
        if !bad.isEmpty {
            throw CLIError(code: "invalid-rows", exit: .invalidData,
                           message: Localized(zh: "\(Set(bad.map(\.line)).count) 行没有导入（见上）", en: "\(Set(bad.map(\.line)).count) row(s) not imported (see above)"))
        }
    }

    static func readCSV(_ bytes: [UInt8]) -> Result<CSVTable, CSVError> {
        do throws(CSVError) { return .success(try CSVTable.read(bytes: bytes)) } catch { return .failure(error) }
    }

    /// `hamlet seed`: a deterministic township, loaded into a hub or written as CSV.
    static func seed(_ c: Context) throws {
        let villages = Int(c.invocation.value("villages") ?? "3") ?? 3
        let people = Int(c.invocation.value("people") ?? "100") ?? 100
        let seed = UInt64(c.invocation.value("seed") ?? "7") ?? 7
        let start = Date()
        let township = SeedGenerator(seed: seed, villageCount: villages, peoplePerVillage: people).generate()
        if let folder = c.invocation.value("csv") {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for t in schema.tables {
                let path = (folder as NSString).appendingPathComponent("\(t.name).csv")
                guard FileManager.default.createFile(atPath: path, contents: Data(township.csv(table: t.name).utf8)) else {
                    throw CLIError(code: "io", exit: .storage, message: Localized(zh: "写不了 \(path)", en: "cannot write \(path)"))
                }
            }
            Output.out(c.t("已写出 \(township.rowCount) 行到 \(folder)\n", "wrote \(township.rowCount) rows to \(folder)\n"))
            return
        }
        let hub = try HubStore.open(directory: c.directory)
        let action = OperatorAction(name: "seed", wallMillis: c.now, note: "hamlet seed --seed \(seed)")
        var counts: [String: Int] = [:]
        try loadTownship(township, into: hub, action: action) { table, n in counts[table, default: 0] += n }
        let seconds = Date().timeIntervalSince(start)
        if c.json {
            Output.json(["rows": counts, "seconds": ["total": Int(seconds)]])
        } else {
            Output.out(c.t("已装入 \(counts.values.reduce(0, +)) 行（\(villages) 个村）用时 \(String(format: "%.1f", seconds)) 秒\n",
                           "loaded \(counts.values.reduce(0, +)) rows (\(villages) villages) in \(String(format: "%.1f", seconds)) s\n"))
        }
    }

    /// Loads a generated township in reference order: households without heads,
    /// people, events, visits, benefits, then the heads.
    static func loadTownship(_ township: Township, into hub: HubStore, action: OperatorAction, progress: (String, Int) -> Void) throws {
        func typed(_ table: String, _ row: [String: String], dropping: Set<String> = []) -> (String, Fields) {
            guard let t = hub.schema.table(named: table) else { return (row["id"] ?? "", [:]) }
            var f = Township.fields(of: row, table: t).filter { !$0.value.isNull }
            for d in dropping { f[d] = nil }
            return (row["id"] ?? "", f)
        }
        let order = ["households", "people", "events", "visits", "benefits"]
        for table in order {
            let rows = township.rows(table)
            var i = 0
            while i < rows.count {
                let chunk = rows[i..<min(i + 5000, rows.count)].map { typed(table, $0, dropping: table == "households" ? ["head"] : []) }
                try hub.load(table: table, rows: chunk.map { (id: $0.0, values: $0.1) }, action: action)
                progress(table, chunk.count)
                i += 5000
            }
        }
        let heads = township.rows("households").compactMap { r -> (id: String, values: Fields)? in
            guard let h = r["head"], !h.isEmpty, let id = r["id"] else { return nil }
            return (id: id, values: ["head": .text(h)])
        }
        var i = 0
        while i < heads.count {
            try hub.load(table: "households", rows: Array(heads[i..<min(i + 5000, heads.count)]), action: action)
            i += 5000
        }
    }
}
