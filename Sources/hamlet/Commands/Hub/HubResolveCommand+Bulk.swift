import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub resolve --all-matching [--field F] [--village V] [--search T] --take village|hub [--dry-run]`: one side
/// for every open field conflict on one field that the filters select, each settled on its own (its own
/// compare-and-set against the version the conflict shows, its own record); one that moved is refused alone.
extension HubResolveCommand {
    static let conflictArgument = ArgumentSpec("id", nameZH: "冲突编号", help: CommandTree.L("冲突编号（或用 --all-matching）", "conflict id (or --all-matching)"), optional: true)
    static let allMatching = OptionSpec(long: "all-matching", help: CommandTree.L("处理所有符合条件的字段冲突（须是同一个字段），每个单独处理、单独记录", "every open field conflict the filters select (on one field), each settled and recorded on its own"))
    static let field = OptionSpec(long: "field", valueName: "field", help: CommandTree.L("只处理这个字段的冲突（可写 表.字段）", "only conflicts on this field (table.field allowed)"), valueNameZH: "字段")
    static let dryRun = OptionSpec(long: "dry-run", help: CommandTree.L("只列出会处理哪些冲突，不做修改", "list what would be settled; change nothing"))

    static func runBulk(_ c: Context, _ h: HubStore) throws {
        guard c.invocation.argument(conflictArgument) == nil else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--all-matching 不要再写冲突编号", en: "--all-matching takes no conflict id"))
        }
        guard let take = c.value(Self.take) else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "--all-matching 须加 --take 村节点|镇中心", en: "--all-matching needs --take village|hub"))
        }
        let choice = try side(take)
        var query = ConflictQuery(village: c.value(HubConflictsCommand.village), kind: .field,
                                  search: c.value(HubConflictsCommand.search).flatMap(RecordSearch.init))
        if let typed = c.value(Self.field) { (query.table, query.field) = try fieldFilter(h, typed) }
        let list: [ConflictRecord]
        do { list = try h.bulkFieldSelection(query) } catch let e as OperatorError where e.code == .invalid {
            // Several fields selected: the operator narrows with --field; nothing was settled.
            throw CLIError(code: "not-one-field", exit: .usage, message: Localized(zh: e.messageZH ?? e.message, en: e.message),
                           hint: Localized(zh: "加 --field 字段 只选一个字段", en: "add --field to choose one"))
        }
        let dry = c.flag(Self.dryRun)
        let outcomes: [BulkOutcome]
        if dry {
            outcomes = list.map { BulkOutcome(conflict: $0, hseq: nil) }
        } else {
            let action = OperatorAction(name: OperatorCommands.operatorName(c), wallMillis: c.now, note: c.value(HubCommand.note))
            outcomes = try h.resolveFields(list.map { ($0, nil) }, choice: choice, action: action)
        }
        if c.json {
            Output.json(BulkJSON(dryRun: dry, take: choice == .village ? "village" : "hub", items: outcomes.map(BulkJSON.Item.init)))
        } else {
            try printBulk(c, h, outcomes, choice: choice, dry: dry)
        }
        let refused = outcomes.filter { $0.refusal != nil && $0.refusal?.code != .alreadyResolved }.count
        if refused > 0 {
            throw CLIError(code: "stale", exit: .invalidData,
                           message: Localized(zh: "\(refused) 个冲突在显示之后又改过，没有处理；请逐个查看", en: "\(refused) conflict(s) changed since they were shown and were not settled; look at each"))
        }
    }

    /// `--field`: a field name or its Chinese label, or `table.field`; one table's field.
    static func fieldFilter(_ h: HubStore, _ typed: String) throws -> (String, String) {
        let parts = typed.split(separator: ".", maxSplits: 1).map(String.init)
        let tables = parts.count == 2 ? h.schema.tables.filter { $0.name == parts[0] || $0.label.zh == parts[0] } : h.schema.tables
        let name = parts.last ?? typed
        let hits = tables.compactMap { t in t.fields.first { $0.name == name || $0.label.zh == name }.map { (t.name, $0.name) } }
        guard let hit = hits.first, hits.count == 1 else {
            let zh = hits.isEmpty ? "没有「\(typed)」这个字段" : "「\(typed)」在几个表里都有，请写 表.字段，例如 people.\(name)"
            let en = hits.isEmpty ? "no field \(typed)" : "\(typed) is a field of several tables: write table.field, e.g. people.\(name)"
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: zh, en: en))
        }
        return hit
    }

    static func printBulk(_ c: Context, _ h: HubStore, _ outcomes: [BulkOutcome], choice: FieldChoice, dry: Bool) throws {
        var t = Table(columns: [Table.Column(header: "#", alignment: .right), Table.Column(header: c.t("村", "village")),
                                Table.Column(header: c.t("记录", "row")), Table.Column(header: c.t("字段", "field")),
                                Table.Column(header: c.t("采用的值", "value taken")), Table.Column(header: c.t("结果", "result"))])
        t.rows = outcomes.map { o in
            let x = o.conflict
            let f = h.schema.table(named: x.table)?.field(x.field ?? "")
            let result: String
            switch (dry, o.hseq, o.refusal?.code) {
            case (true, _, _): result = c.t("将处理", "would settle")
            case (_, .some(let hseq), _): result = c.t("已处理（版本 \(hseq)）", "settled (hseq \(hseq))")
            case (_, _, .alreadyResolved?): result = c.t("已一并处理", "already settled")
            default: result = c.t("未处理：又改过了", "not settled: changed since")
            }
            return [String(x.id), x.village, String(x.row.suffix(12)), OperatorCommands.fieldName(h, x, c),
                    OperatorCommands.shown(choice == .village ? x.incoming : x.hubValue, f, c), result]
        }
        if !outcomes.isEmpty { Output.out(t.render(maxWidth: max(c.width, 60))) }
        let sideName = choice == .village ? c.t("村节点的值", "the village's value") : c.t("镇中心的值", "the hub's value")
        if dry {
            Output.out(c.t("将处理 \(outcomes.count) 个冲突，都采用\(sideName)；去掉 --dry-run 才会执行\n",
                           "would settle \(outcomes.count) conflict(s), each taking \(sideName); run without --dry-run to do it\n"))
        } else {
            let settled = outcomes.filter { $0.hseq != nil }.count
            Output.out(c.t("已处理 \(settled) 个冲突（各自记录，各村节点下次同步时收到），共选中 \(outcomes.count) 个\n",
                           "settled \(settled) of \(outcomes.count) conflict(s), each recorded on its own; nodes get them on their next sync\n"))
        }
    }
}

/// `--json` shape of `hub resolve --all-matching`.
struct BulkJSON: Encodable {
    struct Item: Encodable {
        var conflict: Int64
        var hseq: Int64?
        var refused: String?
        init(_ o: BulkOutcome) {
            conflict = o.conflict.id
            hseq = o.hseq
            refused = o.refusal?.code.rawValue
        }
    }
    var dryRun: Bool
    var take: String
    var items: [Item]
    enum CodingKeys: String, CodingKey {
        case take, items
        case dryRun = "dry_run"
    }
}
