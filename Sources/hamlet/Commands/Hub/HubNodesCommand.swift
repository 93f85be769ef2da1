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
            // Issue 18: a township node's backlog and conflicts are its villages' (its last session is its last uplink).
            let scope = try h.scope(node: n.id, village: n.village)
            let waiting = try h.waiting(scope: scope, after: n.cursor ?? 0)
            var j = NodeJSON(node: n.id, village: n.village, lastSeen: n.lastSeen, lastResult: n.lastResult, lastAddress: n.lastAddress,
                             waiting: waiting, openConflicts: scope.villages.reduce(0) { $0 + (openByVillage[$1] ?? 0) },
                             clockSkewMillis: n.clockSkewMillis, lastSeq: n.lastSeq)
            if case .township(let name, let villages) = scope {
                (j.township, j.villages) = (name, villages)
                j.villageLastChange = try h.villageActivity(node: n.id)
            }
            out.append(j)
        }
        if c.json { Output.json(out); return }
        var t = Table(columns: [Table.Column(header: c.t("节点", "node")), Table.Column(header: c.t("村", "village")),
                                Table.Column(header: c.t("最近同步", "last seen")), Table.Column(header: c.t("结果", "last result")),
                                Table.Column(header: c.t("待下载", "waiting"), alignment: .right),
                                Table.Column(header: c.t("待处理冲突", "open conflicts"), alignment: .right),
                                Table.Column(header: c.t("时钟偏差", "clock skew"), alignment: .right)])
        t.rows = out.map { n in
            [n.node, n.township.map { c.t("\($0)（镇，\(n.villages?.count ?? 0) 个村）", "\($0) (\(n.villages?.count ?? 0) villages)") } ?? n.village,
             n.lastSeen.map { c.time($0, zone: z) } ?? c.t("从未", "never"), NodeWording.result(n.lastResult, chinese: c.chinese),
             n.waiting.map(String.init) ?? "-", String(n.openConflicts), NodeWording.skew(n.clockSkewMillis, chinese: c.chinese)]
        }
        Output.out(t.render(maxWidth: max(c.width, 60)))
        // Issue 18: through a township's node, when each of its villages' data last came up.
        for n in out where n.township != nil {
            let list = (n.villages ?? []).map { v in "\(v) \(n.villageLastChange?[v].map { c.time($0, zone: z) } ?? c.t("无", "none"))" }
            Output.out(c.t("\(n.node) 各村最近上传的数据：", "\(n.node), each village's latest data: ") + list.joined(separator: c.t("，", ", ")) + "\n")
        }
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
        /// Issue 18: set for a township hub's node, with the villages the county has seen it write.
        var township: String?
        var villages: [String]?
        /// When each village's latest change reached the county through the township (villages behind below).
        var villageLastChange: [String: Int64]?
        enum CodingKeys: String, CodingKey {
            case node, village, waiting, township, villages
            case villageLastChange = "village_last_change"
            case lastSeen = "last_seen", lastResult = "last_result", lastAddress = "last_address"
            case openConflicts = "open_conflicts", clockSkewMillis = "clock_skew_ms", lastSeq = "last_seq"
        }
    }
}
