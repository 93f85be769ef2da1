import HamletCLI
import HamletCore
import HamletStore

/// `hamlet edit TABLE ID --FIELD VALUE …`: changes fields of a row (an empty value clears one). Like `add`, one
/// schema-driven subcommand per table, run here.
enum EditCommand: HamletCommand {
    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "edit", abstract: CommandTree.L("修改一条记录的字段", "change fields of a row"),
                    subcommands: CommandTree.perTable(schema) { t, name in
                        CommandSpec(name: name, abstract: CommandTree.L("修改\(t.label.zh)（传空值清除字段）", "edit a \(t.label.en) (an empty value clears a field)"),
                                    arguments: [CommandTree.idArgument],
                                    options: CommandTree.fieldOptions(t, includeVillage: true) + CommandTree.forceOption(t)
                                        + [CommandTree.dir, CommandTree.author, CommandTree.json])
                    },
                    examples: ["hamlet edit person 张丽 --phone 13900000000"])
    }

    static func run(_ c: Context) throws {
        let r = try ReplicaCommands.open(c)
        let t = try r.table(c.tableSubcommand)
        let id = try ReplicaCommands.rowID(c, r, t)
        let vals = try ReplicaCommands.values(c, t, r)
        guard !vals.isEmpty else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "请至少给出一个要修改的字段，例如 --phone", en: "give at least one field to change, e.g. --phone"))
        }
        let w = try ReplicaCommands.naming(vals) {
            try ReplicaCommands.labellingReferences(r, t) {
                try r.update(table: t.name, id: id, values: vals, author: c.author, wallMillis: c.now,
                             duplicates: CommandTree.isForced(t, c) ? .record : .refuse)
            }
        }
        ReplicaCommands.noteRecordedDuplicates(w, c)
        ReplicaCommands.noteWarnings(w, c)
        if c.json { Output.json(ReplicaCommands.writeJSON(["id": w.id, "seq": String(w.seq)], w)) } else {
            Output.out(c.t("已修改 \(t.label.zh) \(id)（修改 #\(w.seq) 待上传）\n", "updated \(t.singular) \(id) (change #\(w.seq) pending)\n"))
        }
    }
}
