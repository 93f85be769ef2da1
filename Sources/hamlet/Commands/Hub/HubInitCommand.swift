import Foundation
import HamletCLI
import HamletCore
import HamletStore

/// `hamlet hub init`: creates the hub store and identity.
enum HubInitCommand: HamletCommand {
    static let timeZone = OptionSpec(long: "time-zone", valueName: "tz", help: CommandTree.L("显示时间用的时区", "time zone for displayed times"), defaultDescription: "Asia/Shanghai", valueNameZH: "时区")

    /// Issue 18: the township this hub serves, for its uplink to the county.
    static let township = OptionSpec(long: "township", valueName: "name", help: CommandTree.L("本中心是哪个镇的（向县级上传时用）", "the township this hub serves (for the uplink to a county)"), valueNameZH: "镇名")

    static func spec(_ schema: Schema) -> CommandSpec {
        CommandSpec(name: "init", abstract: CommandTree.L("建立镇中心数据库和身份", "create the hub store and identity"),
                    options: [timeZone, township, CommandTree.dir, CommandTree.json])
    }

    static func run(_ c: Context) throws {
        let zone = c.value(Self.timeZone) ?? "Asia/Shanghai"
        guard TimeZone(identifier: zone) != nil else {
            throw CLIError(code: "invalid-time-zone", exit: .usage, message: Localized(zh: "不认识的时区 \(zone)", en: "unknown time zone \(zone)"))
        }
        let township = try c.village(Self.township)
        let h = try HubStore.create(directory: c.directory, timeZone: zone)
        if let township { try h.setMeta("township", township) }
        let id = try h.hubID()
        if c.json { Output.json(["hub": id, "path": HubStore.path(in: c.directory), "epoch": try h.epoch()]) } else {
            Output.out(c.t("已建立镇中心 \(id)：\(HubStore.path(in: c.directory))\n", "created hub \(id): \(HubStore.path(in: c.directory))\n"))
        }
    }
}
