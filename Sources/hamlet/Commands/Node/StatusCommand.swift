import HamletCLI
import HamletCore
import HamletStore

/// `hamlet status`: pending / accepted / conflicted / settled / rejected counts and the last sync.
enum StatusCommand: HamletCommand {
    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "status", abstract: CommandTree.L("待上传 / 已接收 / 有冲突 / 已处理 / 已退回 的数量和最近同步", "pending / accepted / conflicted / settled / rejected counts and the last sync"),
                    options: [CommandTree.dir, CommandTree.json])
    }

    static func run(_ c: Context) throws {
        let r = try ReplicaCommands.open(c)
        let s = try r.status()
        if c.json { Output.json(s); return }
        let list = KeyValueList(pairs: [
            (c.t("节点", "node"), c.t("\(s.node)（\(s.village)）", "\(s.node) (\(s.village))")),
            (c.t("镇中心", "hub"), s.hub ?? c.t("未设置", "not set")),
            (c.t("待上传", "pending"), String(s.pending)),
            (c.t("已接收", "accepted"), String(s.accepted)),
            (c.t("有冲突", "conflicted"), String(s.conflicted)),
            (c.t("已处理", "settled"), String(s.settled)),
            (c.t("已退回", "rejected"), String(s.rejected)),
            (c.t("待接收", "awaiting"), c.t("\(s.awaiting) 人", String(s.awaiting))),
            (c.t("最近同步", "last sync"), s.lastSyncAt.map { c.time($0) } ?? c.t("从未", "never")),
            (c.t("同步结果", "last result"), (c.chinese ? try r.meta("last_sync_result_zh") : nil) ?? s.lastSyncResult ?? "-"),
            (c.t("数据核对", "verify"), s.verify.map { c.chinese ? ["match": "一致", "mismatch": "不一致"][$0] ?? $0 : $0 } ?? "-"),
            (c.t("下载进度", "cursor"), String(s.cursor)),
            (c.t("记录数", "rows"), c.chinese
                ? r.schema.tables.filter { s.rows[$0.name] != nil }.map { "\($0.label.zh) \(s.rows[$0.name] ?? 0)" }.joined(separator: "，")
                : s.rows.keys.sorted().map { "\($0) \(s.rows[$0] ?? 0)" }.joined(separator: ", ")),
        ])
        Output.out(list.render(maxWidth: c.width))
        if s.rejected > 0 {
            Output.out(c.t("提示：有被退回的修改，运行 hamlet log 查看原因。\n", "hint: some changes were rejected; see hamlet log for why.\n"))
        }
        if s.awaiting > 0 {
            Output.out(c.t("提示：待接收 \(s.awaiting) 人（迁入本村），运行 hamlet arrivals 查看，hamlet receive person 接收。\n",
                           "hint: \(s.awaiting) person(s) moved here await reception; see hamlet arrivals, then hamlet receive person.\n"))
        }
        if s.settled > 0 {
            Output.out(c.t("提示：镇中心已处理 \(s.settled) 条修改的冲突，运行 hamlet log 查看处理结果。\n",
                           "hint: the township office settled the conflicts of \(s.settled) change(s); see hamlet log for how.\n"))
        }
    }
}
