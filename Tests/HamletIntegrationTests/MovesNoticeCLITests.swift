import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

// Issue 15 item 3 through the built binary: a person 北赵 moves to 南赵 shows in `hamlet hub moves` once for the
// township with both ends, on both villages' lists, 待接收 until 南赵 records her 迁入.

private let zh = ["LANG": "zh_CN.UTF-8"]

@Suite("迁入迁出通报 through the CLI (issue 15)", .serialized)
struct MovesNoticeCLITests {
    /// Today in the hub's default time zone: the transfer's date.
    static func today() -> CalendarDate {
        CalendarDate(unixMillis: Int64(Date().timeIntervalSince1970 * 1000), zone: TimeZone(identifier: "Asia/Shanghai") ?? .gmt)
    }

    static func moves(_ hub: HamletDir, _ period: String, _ extra: [String] = []) throws -> [String: Any] {
        let r = try hub.run(["hub", "moves", "--period", period, "--json"] + extra)
        try #require(r.status == 0, "\(r)")
        return try #require(try r.json() as? [String: Any])
    }

    @Test("北赵 moves 王秀英 to 南赵 with a 迁出 event: listed once with both ends, 待接收 until 南赵's 迁入; csv and text in Chinese")
    func aMoveBetweenVillages() throws {
        let town = try ProcTownship("moves-notice", nodes: [("bz1", "北赵"), ("nz1", "南赵")])
        defer { town.finish() }
        let hub = town.hub, bz1 = town["bz1"], nz1 = town["nz1"]
        let day = Self.today().description
        let period = String(day.prefix(7))
        let person = try must(bz1, ["add", "person", "--name", "王秀英", "--sex", "女", "--birth-date", "1990-03-02",
                                    "--national-id", "370481199003021224"])
        try must(bz1, ["add", "event", "--person", person, "--kind", "move_out", "--date", day, "--detail", "婚迁，迁往南赵"])
        try must(bz1, ["edit", "person", person, "--village", "南赵"])
        _ = try town.sync("bz1")
        _ = try town.sync("nz1")

        let json = try Self.moves(hub, period)
        let township = try #require(json["township"] as? [String: Any])
        let within = try #require(township["within"] as? [[String: Any]])
        #expect(within.count == 1, "\(township)")
        let move = try #require(within.first)
        #expect(move["from"] as? String == "北赵" && move["to"] as? String == "南赵" && move["name"] as? String == "王秀英", "\(move)")
        #expect(move["reason"] as? String == "婚迁，迁往南赵" && move["date"] as? String == day)
        #expect(move["national_id_last4"] as? String == "1224")
        #expect(move["received"] == nil || move["received"] is NSNull, "待接收 until a move_in: \(move)")
        let villages = try #require(json["villages"] as? [[String: Any]])
        let north = try #require(villages.first { $0["village"] as? String == "北赵" })
        let south = try #require(villages.first { $0["village"] as? String == "南赵" })
        #expect(north["out_count"] as? Int == 1 && north["in_count"] as? Int == 0, "\(north)")
        #expect(south["out_count"] as? Int == 0 && south["in_count"] as? Int == 1, "\(south)")
        #expect((township["out"] as? [Any])?.isEmpty == true && (township["in"] as? [Any])?.isEmpty == true, "not a move of the township")

        let text = try hub.run(["hub", "moves", "--period", period], env: zh)
        #expect(text.status == 0 && text.stdout.contains("北赵：迁出 1 人，迁入 0 人") && text.stdout.contains("待接收"), "\(text)")
        #expect(text.stdout.contains("全镇：村间迁移 1 人"), "\(text)")
        let csv = try hub.run(["hub", "moves", "--period", period, "--format", "csv"], env: zh)
        #expect(csv.status == 0 && csv.stdout.hasPrefix("\u{FEFF}村,类别,姓名") && csv.stdout.contains("王秀英"), "\(csv)")
        let one = try Self.moves(hub, period, ["--village", "南赵"])
        #expect((one["villages"] as? [[String: Any]])?.count == 1)
        let unknown = try hub.run(["hub", "moves", "--period", period, "--village", "东营"], env: zh)
        #expect(unknown.status == 66 && unknown.stderr.contains("本镇没有「东营」这个村"), "\(unknown)")

        // 南赵 receives her: the move is received on that day.
        try must(nz1, ["add", "event", "--person", person, "--kind", "move_in", "--date", day, "--detail", "因婚从北赵迁入"])
        _ = try town.sync("nz1")
        let after = try Self.moves(hub, period)
        let received = try #require(((after["township"] as? [String: Any])?["within"] as? [[String: Any]])?.first)
        #expect(received["received"] as? String == day, "\(received)")
        #expect(((after["township"] as? [String: Any])?["in"] as? [Any])?.isEmpty == true, "the 迁入 receives the move, it is not a move into the township")
    }
}
