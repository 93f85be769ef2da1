import HamletCLI
import HamletCore
import HamletStore

/// `hamlet add TABLE --FIELD VALUE …`: adds a row and prints its id. One subcommand per table (singular and
/// plural), whose flags are the table's fields: the subtree is data, built from the schema, and run here.
enum AddCommand: HamletCommand {
    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "add", abstract: CommandTree.L("新增一条记录，打印新编号", "add a row; prints its id"),
                    subcommands: CommandTree.perTable(schema) { t, name in
                        CommandSpec(name: name, abstract: CommandTree.L("新增\(t.label.zh)", "add a \(t.label.en)"),
                                    options: CommandTree.fieldOptions(t, includeVillage: false) + CommandTree.forceOption(t)
                                        + [CommandTree.dir, CommandTree.author, CommandTree.json])
                    },
                    examples: ["hamlet add household --address \"北赵村三组12号\" --phone 13800000000",
                               "hamlet add person --name 张丽 --sex 女 --birth-date 1990-03-02 --national-id 370481199003021224 --household 北赵村三组12号"])
    }

    static func run(_ c: Context) throws {
        let r = try ReplicaCommands.open(c)
        let t = try r.table(c.tableSubcommand)
        let vals = try ReplicaCommands.values(c, t, r)
        var rng = SystemRandomNumberGenerator()
        let w = try ReplicaCommands.naming(vals) {
            try ReplicaCommands.labellingReferences(r, t) {
                try r.insert(table: t.name, values: vals, author: c.author, wallMillis: c.now,
                             duplicates: CommandTree.isForced(t, c) ? .record : .refuse, rng: &rng)
            }
        }
        ReplicaCommands.noteRecordedDuplicates(w, c)
        ReplicaCommands.noteWarnings(w, c)
        ReplicaCommands.noteClosedPregnancy(w, c, r, mother: vals["mother"]?.text, child: vals["name"]?.text ?? w.id)
        var json = ["id": w.id, "seq": String(w.seq), "table": t.name]
        if let p = w.closedPregnancy { json["closed_pregnancy"] = p.id; json["closed_pregnancy_seq"] = String(p.seq) }
        if c.json { Output.json(ReplicaCommands.writeJSON(json, w)) } else { Output.out(w.id + "\n") }
    }
}
