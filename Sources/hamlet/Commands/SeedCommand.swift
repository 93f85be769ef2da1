import Foundation
import HamletCLI
import HamletCore
import HamletStore

/// `hamlet seed`: a deterministic synthetic township (load tests), loaded into a hub or written as CSV.
enum SeedCommand: HamletCommand {
    static let villages = OptionSpec(long: "villages", valueName: "n", help: CommandTree.L("村数", "number of villages"), defaultDescription: "3", valueNameZH: "村数")
    static let people = OptionSpec(long: "people", valueName: "n", help: CommandTree.L("每村人数", "people per village"), defaultDescription: "100", valueNameZH: "人数")
    static let seed = OptionSpec(long: "seed", valueName: "n", help: CommandTree.L("随机种子", "random seed"), defaultDescription: "7", valueNameZH: "种子")
    static let csv = OptionSpec(long: "csv", valueName: "folder", help: CommandTree.L("写成 CSV 文件而不是装入镇中心", "write CSV files instead of loading a hub"), valueNameZH: "文件夹")

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "seed", abstract: CommandTree.L("生成可重复的模拟乡镇数据（压力测试用）", "generate a deterministic synthetic township (load tests)"),
                    options: [villages, people, seed, csv, CommandTree.dir, CommandTree.json],
                    examples: ["hamlet seed --dir ./hub --villages 50 --people 3000 --seed 7"])
    }

    static func run(_ c: Context) throws {
        let villages = Int(c.value(Self.villages) ?? "3") ?? 3
        let people = Int(c.value(Self.people) ?? "100") ?? 100
        let seed = UInt64(c.value(Self.seed) ?? "7") ?? 7
        let start = Date()
        let generator = SeedGenerator(seed: seed, villageCount: villages, peoplePerVillage: people)
        if let folder = c.value(Self.csv) {
            let township = generator.generate()
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
        // One village at a time: memory holds a village, not the township (issue 20).
        try generator.generate(byVillage: { village in
            try loadTownship(village, into: hub, action: action) { table, n in counts[table, default: 0] += n }
        })
        let seconds = Date().timeIntervalSince(start)
        if c.json {
            Output.json(["rows": counts, "seconds": ["total": Int(seconds)]])
        } else {
            Output.out(c.t("已装入 \(counts.values.reduce(0, +)) 行（\(villages) 个村）用时 \(String(format: "%.1f", seconds)) 秒\n",
                           "loaded \(counts.values.reduce(0, +)) rows (\(villages) villages) in \(String(format: "%.1f", seconds)) s\n"))
        }
    }

    /// Loads a generated township in reference order: households without heads,
    /// people, events, visits, benefits, pregnancies, contraception, then the heads.
    static func loadTownship(_ township: Township, into hub: HubStore, action: OperatorAction, progress: (String, Int) -> Void) throws {
        func typed(_ table: String, _ row: [String: String], dropping: Set<String> = []) -> (String, Fields) {
            guard let t = hub.schema.table(named: table) else { return (row["id"] ?? "", [:]) }
            var f = Township.fields(of: row, table: t).filter { !$0.value.isNull }
            for d in dropping { f[d] = nil }
            return (row["id"] ?? "", f)
        }
        let order = ["households", "people", "events", "visits", "benefits", "pregnancies", "contraception"]
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
