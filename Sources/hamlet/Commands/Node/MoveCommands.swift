import HamletCLI
import HamletCore
import HamletStore

/// `hamlet move person <ref> --to 南赵 [--reason 婚迁|务工|其他] [--date D]`: 迁出. The person and the rows about her
/// (events, visits, pregnancies, contraception, her benefits) leave the village as one unit, after a 迁出 event;
/// the replica keeps a trace, so `show` says 已迁出.
enum MoveCommand: HamletCommand {
    static let to = OptionSpec(long: "to", valueName: "village", help: CommandTree.L("迁往的村（必填）", "the village she moves to (required)"),
                               valueNameZH: "村")
    static let reason = OptionSpec(long: "reason", valueName: "婚迁|务工|其他", help: CommandTree.L("迁移原因", "why she moves"),
                                   defaultDescription: "其他", valueNameZH: "原因")
    static let date = OptionSpec(long: "date", valueName: "YYYY-MM-DD", help: CommandTree.L("迁出日期", "the date of the move"),
                                 defaultDescription: "today", valueNameZH: "日期", defaultDescriptionZH: "今天")

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "move", abstract: CommandTree.L("迁出：把一个人连同她的记录转给另一个村", "move a person with her records to another village"),
                    discussion: CommandTree.L("记一条迁出事件；本人和她的事件、随访、孕情、避孕、待遇记录一起转到迁入村，原户的关系解除。同步后迁入村的节点可以接收她；本村只留下已迁出的记录。",
                                              "Records a move_out event; she and her events, visits, pregnancies, contraception and benefits go to the other village together, leaving her household. After a sync the other village's node receives her; this village keeps only a trace."),
                    subcommands: [CommandSpec(name: "person", abstract: CommandTree.L("迁出一个人", "move a person out"),
                                              arguments: [CommandTree.idArgument],
                                              options: [to, reason, date, CommandTree.dir, CommandTree.author, CommandTree.json])],
                    examples: ["hamlet move person 370481199003021224 --to 南赵 --reason 婚迁"])
    }

    static func run(_ c: Context) throws {
        let r = try ReplicaCommands.open(c)
        let t = try r.table("people")
        let id = try ReplicaCommands.rowID(c, r, t)
        guard let why = MoveReason(text: c.value(reason) ?? MoveReason.other.rawValue) else {
            throw CLIError(code: "invalid-reason", exit: .invalidData,
                           message: Localized(zh: "迁移原因「\(c.value(reason) ?? "")」不认识：请填 婚迁、务工 或 其他",
                                              en: "unknown reason \(c.value(reason) ?? ""): use marriage (婚迁), work (务工) or other (其他)"))
        }
        var rng = SystemRandomNumberGenerator()
        let result: MoveResult
        do {
            result = try r.move(person: id, to: c.value(to) ?? "", reason: why, date: c.value(date), author: c.author,
                                wallMillis: c.now, rng: &rng)
        } catch let e as MoveRefusal {
            throw MoveText.error(e)
        }
        let d = result.plan.detail
        if c.json {
            Output.json(["id": AnyEncodable(id), "event": AnyEncodable(result.event), "to": AnyEncodable(d.destination),
                         "date": AnyEncodable(result.plan.date), "reason": AnyEncodable(d.reason.code),
                         "followers": AnyEncodable(result.followers), "seqs": AnyEncodable(result.seqs)])
            return
        }
        Output.out(c.t("已迁出：\(d.destination)（\(d.reason.rawValue)，\(result.plan.date)），连同 \(result.followers) 条相关记录；\(result.seqs.count) 条修改待上传，同步后由\(d.destination)接收\n",
                       "moved to \(d.destination) (\(d.reason.code), \(result.plan.date)) with \(result.followers) related row(s); \(result.seqs.count) change(s) pending; \(d.destination) receives her after a sync\n"))
    }
}

/// `hamlet arrivals [--json]`: the people of this village who arrived by a move and are not received yet (待接收).
enum ArrivalsCommand: HamletCommand {
    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "arrivals", abstract: CommandTree.L("列出迁入本村、尚待接收的人", "list people who moved here and await reception"),
                    options: [CommandTree.dir, CommandTree.json], examples: ["hamlet arrivals"])
    }

    static func run(_ c: Context) throws {
        let r = try ReplicaCommands.open(c)
        let people = try r.table("people")
        let arrivals = try r.arrivals()
        let labels = try r.rowLabels(people, ids: Set(arrivals.map(\.person)))
        if c.json {
            Output.json(["items": arrivals.map { ArrivalJSON($0, label: labels[$0.person]) }])
            return
        }
        guard !arrivals.isEmpty else { Output.out(c.t("没有待接收的人\n", "nobody awaits reception\n")); return }
        var table = Table(columns: [Table.Column(header: c.t("姓名", "name")), Table.Column(header: c.t("从哪里来", "from")),
                                    Table.Column(header: c.t("迁出日期", "moved on")), Table.Column(header: c.t("原因", "reason")),
                                    Table.Column(header: c.t("编号", "id"))])
        for a in arrivals {
            table.rows.append([labels[a.person] ?? "", a.origin ?? "-", a.date, (c.chinese ? a.reason?.rawValue : a.reason?.code) ?? "-",
                               ShortID.of(a.person)])
        }
        Output.out(table.render(maxWidth: c.width))
        Output.out(c.t("待接收 \(arrivals.count) 人；用 hamlet receive person <编号> --household <户> 接收\n",
                       "\(arrivals.count) awaiting; receive with hamlet receive person <id> --household <household>\n"))
    }
}

/// `hamlet receive person <ref> (--household <ref> | --new-household --address …) [--date D]`: 迁入.
enum ReceiveCommand: HamletCommand {
    static let household = OptionSpec(long: "household", valueName: "ref", help: CommandTree.L("落户的户（地址、户主姓名或编号）", "the household she joins (address, head's name or id)"),
                                      valueNameZH: "户")
    static let newHousehold = OptionSpec(long: "new-household", help: CommandTree.L("新立一户，由她做户主（要同时给 --address）", "set up a new household she heads (with --address)"))
    static let address = OptionSpec(long: "address", valueName: "text", help: CommandTree.L("新户的地址", "the new household's address"), valueNameZH: "地址")
    static let date = OptionSpec(long: "date", valueName: "YYYY-MM-DD", help: CommandTree.L("迁入日期", "the date she arrives"),
                                 defaultDescription: "today", valueNameZH: "日期", defaultDescriptionZH: "今天")

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "receive", abstract: CommandTree.L("接收迁入的人：记迁入事件，落户", "receive a person who moved here: a move_in event and a household"),
                    subcommands: [CommandSpec(name: "person", abstract: CommandTree.L("接收一个待接收的人", "receive a person awaiting reception"),
                                              arguments: [CommandTree.idArgument],
                                              options: [household, newHousehold, address, date, CommandTree.dir, CommandTree.author, CommandTree.json])],
                    examples: ["hamlet receive person 370481199003021224 --household 南赵村一组3号",
                               "hamlet receive person 张丽 --new-household --address 南赵村二组8号"])
    }

    static func run(_ c: Context) throws {
        let r = try ReplicaCommands.open(c)
        let id = try ReplicaCommands.rowID(c, r, try r.table("people"))
        let existing = try c.value(household).map { try ReplicaCommands.reference(c, r, $0, to: "households", flag: "--household") }
        let fresh = c.flag(newHousehold)
        guard (existing != nil) != fresh, !fresh || !(c.value(address) ?? "").isEmpty else {
            throw CLIError(code: "usage", exit: .usage, message: Localized(zh: "请给出 --household <户>，或者 --new-household 加 --address <地址>",
                                                                          en: "give --household <household>, or --new-household with --address <address>"))
        }
        var rng = SystemRandomNumberGenerator()
        let result: (event: LocalWrite, household: String)
        do {
            result = try r.receive(person: id, household: existing, newHouseholdAddress: fresh ? c.value(address) : nil,
                                   date: c.value(date), author: c.author, wallMillis: c.now, rng: &rng)
        } catch let e as ReceiveRefusal {
            throw MoveText.error(e)
        }
        if c.json {
            Output.json(["id": id, "event": result.event.id, "household": result.household])
            return
        }
        Output.out(c.t("已接收，落户 \(ShortID.of(result.household))；迁入事件 \(result.event.id) 待上传\n",
                       "received into household \(ShortID.of(result.household)); move_in event \(result.event.id) pending\n"))
    }
}

/// `--json` shape of one arrival.
struct ArrivalJSON: Encodable {
    var id: String
    var label: String?
    var from: String?
    var date: String
    var reason: String?
    var event: String

    init(_ a: Arrival, label: String?) {
        id = a.person
        self.label = label
        from = a.origin
        date = a.date
        reason = a.reason?.code
        event = a.event
    }
}

/// How the move commands word their refusals, and a moved-out person's trace.
enum MoveText {
    /// For `show person <ref>` of someone this village moved out: prints 已迁出 and returns true.
    static func showMovedOut(_ c: Context, _ r: Replica, _ text: String) throws -> Bool {
        guard let people = r.schema.table(named: "people"),
              let m = try r.movedOut(matching: text).first(where: { try r.visibleRow(people, id: $0.person) == nil }) else { return false }
        if c.json { Output.json(["moved_out": m]) } else { Output.out(line(m, c) + "\n") }
        return true
    }

    /// `张丽 *1224 已迁出（2026-11-30，迁往南赵，婚迁）`.
    static func line(_ m: MovedOut, _ c: Context) -> String {
        c.t("\(m.label) 已迁出（\(m.date)，迁往\(m.destination)，\(m.reason)）",
            "\(m.label) moved out (\(m.date), to \(m.destination), \(MoveReason(text: m.reason)?.code ?? m.reason))")
    }

    /// `待接收（自北赵，2026-11-01 迁出，婚迁）`.
    static func awaiting(_ a: Arrival, _ c: Context) -> String {
        c.t("待接收（自\(a.origin ?? "外村")，\(a.date) 迁出\(a.reason.map { "，" + $0.rawValue } ?? "")）",
            "awaiting reception (from \(a.origin ?? "another village"), moved \(a.date)\(a.reason.map { ", " + $0.code } ?? ""))")
    }

    /// For `show person` of someone awaiting reception: one line after her fields.
    static func showAwaiting(_ c: Context, _ r: Replica, person: String) throws {
        guard let a = try r.arrivals().first(where: { $0.person == person }) else { return }
        Output.out("\n" + awaiting(a, c) + c.t("；用 hamlet receive person 接收\n", "; receive with hamlet receive person\n"))
    }

    /// For `list people`: who awaits reception here, and one line per person moved out whose row has left.
    static func listMovedOut(_ c: Context, _ r: Replica) throws {
        guard let people = r.schema.table(named: "people") else { return }
        let arrivals = try r.arrivals()
        if !arrivals.isEmpty {
            let labels = try r.rowLabels(people, ids: Set(arrivals.map(\.person)))
            Output.out(c.t("待接收 \(arrivals.count) 人：\n", "\(arrivals.count) awaiting reception:\n"))
            for a in arrivals { Output.out("  \(labels[a.person] ?? ShortID.of(a.person)) " + awaiting(a, c) + "\n") }
        }
        let gone = try r.movedOut().filter { try r.visibleRow(people, id: $0.person) == nil }
        guard !gone.isEmpty else { return }
        Output.out(c.t("已迁出 \(gone.count) 人：\n", "\(gone.count) moved out:\n"))
        for m in gone { Output.out("  " + line(m, c) + "\n") }
    }

    static func error(_ e: MoveRefusal) -> CLIError {
        switch e {
        case .noDestination:
            return CLIError(code: "no-destination", exit: .invalidData, message: Localized(zh: "请用 --to 给出迁往的村", en: "give the destination village with --to"))
        case let .sameVillage(v):
            return CLIError(code: "same-village", exit: .invalidData, message: Localized(zh: "迁往的村「\(v)」就是本村", en: "\(v) is this node's own village"))
        case let .invalidDate(d):
            return CLIError(code: "invalid-date", exit: .invalidData, message: Localized(zh: "日期 \(d) 不是有效日期（请写成 2026-11-30 这样的年-月-日）", en: "\(d) is not a valid date (YYYY-MM-DD)"))
        case let .futureDate(d):
            return CLIError(code: "future-date", exit: .invalidData, message: Localized(zh: "日期 \(d) 在明天之后", en: "\(d) is after tomorrow"))
        case .notInVillage:
            return CLIError(code: "not-in-village", exit: .notFound, message: Localized(zh: "这个人不在本村（可能已经迁出）", en: "this person is not in this village (moved out already?)"))
        }
    }

    static func error(_ e: ReceiveRefusal) -> CLIError {
        switch e {
        case .notAwaiting:
            return CLIError(code: "not-awaiting", exit: .invalidData, message: Localized(zh: "这个人不在待接收名单上", en: "this person is not awaiting reception"),
                            hint: Localized(zh: "用 hamlet arrivals 查看待接收的人", en: "hamlet arrivals lists who is awaiting"))
        case let .invalidDate(d): return error(MoveRefusal.invalidDate(d))
        case let .futureDate(d): return error(MoveRefusal.futureDate(d))
        case let .beforeMoveOut(d, out):
            return CLIError(code: "before-move-out", exit: .invalidData, message: Localized(zh: "迁入日期 \(d) 早于迁出日期 \(out)", en: "\(d) is before the move out on \(out)"))
        }
    }
}
