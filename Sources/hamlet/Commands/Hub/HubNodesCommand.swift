import HamletCLI
import HamletCore
import HamletHub
import HamletStore

/// `hamlet hub nodes`: every node's last sync, result, open conflicts and clock skew.
enum HubNodesCommand: HamletCommand {
    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "nodes", abstract: CommandTree.L("各村节点：最近同步、结果、待处理冲突、时钟偏差", "every node: last seen, last result, open conflicts, clock skew"),
                    options: [CommandTree.dir, CommandTree.json])
    }

    static func run(_ c: Context) throws {
        let h = try HubCommand.open(c)
        let z = OperatorCommands.zone(h)
        var out: [NodeJSON] = []
        let openByVillage = try h.openConflictsByVillage()
        for n in try h.nodes() {
            let waiting = try h.waiting(village: n.village, after: n.cursor ?? 0)
            out.append(NodeJSON(node: n.id, village: n.village, lastSeen: n.lastSeen, lastResult: n.lastResult, lastAddress: n.lastAddress,
                                waiting: waiting, openConflicts: openByVillage[n.village] ?? 0,
                                clockSkewMillis: n.clockSkewMillis, lastSeq: n.lastSeq))
        }
        if c.json { Output.json(out); return }
        var t = Table(columns: [Table.Column(header: c.t("节点", "node")), Table.Column(header: c.t("村", "village")),
                                Table.Column(header: c.t("最近同步", "last seen")), Table.Column(header: c.t("结果", "last result")),
                                Table.Column(header: c.t("待下载", "waiting"), alignment: .right),
                                Table.Column(header: c.t("待处理冲突", "open conflicts"), alignment: .right),
                                Table.Column(header: c.t("时钟偏差", "clock skew"), alignment: .right)])
        t.rows = out.map { n in
            [n.node, n.village, n.lastSeen.map { c.time($0, zone: z) } ?? c.t("从未", "never"), NodeWording.result(n.lastResult, chinese: c.chinese),
             n.waiting.map(String.init) ?? "-", String(n.openConflicts), NodeWording.skew(n.clockSkewMillis, chinese: c.chinese)]
        }
        Output.out(t.render(maxWidth: max(c.width, 60)))
    }

    /// `--json` shape of a node's health.
    struct NodeJSON: Encodable {
        var node: String
        var village: String
        var lastSeen: Int64?
        var lastResult: String?
        var lastAddress: String?
        var waiting: Int?
        var openConflicts: Int
        var clockSkewMillis: Int64?
        var lastSeq: Int64
        enum CodingKeys: String, CodingKey {
            case node, village, waiting
            case lastSeen = "last_seen", lastResult = "last_result", lastAddress = "last_address"
            case openConflicts = "open_conflicts", clockSkewMillis = "clock_skew_ms", lastSeq = "last_seq"
        }
    }
}
