import HamletCLI
import HamletCore
import HamletStore

/// `hamlet delete TABLE ID`: deletes a row.
enum DeleteCommand: HamletCommand {
    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "delete", abstract: CommandTree.L("删除一条记录", "delete a row"),
                    arguments: [CommandTree.tableArgument(schema), CommandTree.idArgument],
                    options: [CommandTree.dir, CommandTree.author, CommandTree.json], examples: ["hamlet delete household 北赵村三组12号"])
    }

    static func run(_ c: Context) throws {
        let r = try ReplicaCommands.open(c)
        let t = try r.table(c.tableName(try c.tableArgument(), r.schema))
        let id = try ReplicaCommands.rowID(c, r, t)
        let w = try r.delete(table: t.name, id: id, author: c.author, wallMillis: c.now)
        if c.json { Output.json(["id": w.id, "seq": String(w.seq)]) } else {
            Output.out(c.t("已删除 \(t.label.zh) \(id)（修改 #\(w.seq) 待上传）\n", "deleted \(t.singular) \(id) (change #\(w.seq) pending)\n"))
        }
    }
}
