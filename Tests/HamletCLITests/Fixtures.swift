import HamletCLI

/// A small tree shaped like the real one: a root with inherited `--lang`,
/// a schema-driven `people add`, and `hub resolve`.
enum Fixtures {
    static let root = CommandSpec(
        name: "hamlet",
        abstract: Localized(zh: "村级人口台账离线同步工具。", en: "Offline-first sync for village population registers."),
        options: [
            OptionSpec(long: "lang", valueName: "lang", help: Localized(zh: "界面语言：zh 或 en。", en: "Interface language: zh or en."), inherited: true),
            OptionSpec(long: "version", help: Localized(zh: "显示版本。", en: "Show the version.")),
        ],
        subcommands: [people, hub],
        examples: ["hamlet people add --name 张丽 --birth-date 1990-03-07"]
    )

    static let people = CommandSpec(
        name: "people",
        abstract: Localized(zh: "管理全员人口台账。", en: "Manage the people register."),
        subcommands: [peopleAdd, peopleShow]
    )

    static let peopleAdd = CommandSpec(
        name: "add",
        abstract: Localized(zh: "登记一个人。", en: "Register a person."),
        discussion: Localized(
            zh: "每个字段对应一个选项。身份证号会校验第18位校验位，出生日期和性别必须与身份证号一致，否则会被退回并提示需要核对的位置。",
            en: "Each register field is an option. The national ID's check digit is verified, and the birth date and sex must agree with it; otherwise the entry is refused with a hint about what to check."
        ),
        arguments: [ArgumentSpec("household", help: Localized(zh: "户编号。", en: "The household id."), optional: true)],
        options: [
            OptionSpec.field("name", help: Localized(zh: "姓名。", en: "Full name.")),
            OptionSpec.field("birth_date", help: Localized(zh: "出生日期，格式 YYYY-MM-DD。", en: "Birth date, YYYY-MM-DD.")),
            OptionSpec.field("national_id", help: Localized(zh: "身份证号（18位）。", en: "National ID (18 characters).")),
            OptionSpec(long: "tag", short: "t", valueName: "tag", help: Localized(zh: "标签，可重复。", en: "A tag; may repeat."), repeatable: true),
            OptionSpec(long: "count", short: "c", valueName: "n", help: Localized(zh: "数量。", en: "A count."), defaultDescription: "1"),
            OptionSpec(long: "json", short: "j", help: Localized(zh: "以 JSON 输出。", en: "Print JSON.")),
            OptionSpec(long: "dry-run", short: "n", help: Localized(zh: "只检查，不保存。", en: "Check only; save nothing.")),
        ],
        examples: ["hamlet people add --name 张丽 --birth-date 1990-03-07 --national-id 110101199003070023"]
    )

    static let peopleShow = CommandSpec(
        name: "show",
        abstract: Localized(zh: "显示一个人的档案。", en: "Show one person's record."),
        arguments: [ArgumentSpec("person-id", help: Localized(zh: "人员编号。", en: "The person id."))]
    )

    static let hub = CommandSpec(
        name: "hub",
        abstract: Localized(zh: "镇中心操作。", en: "Hub operations."),
        subcommands: [
            CommandSpec(
                name: "resolve",
                abstract: Localized(zh: "处理一个冲突。", en: "Resolve a conflict."),
                arguments: [
                    ArgumentSpec("conflict-id", help: Localized(zh: "冲突编号。", en: "The conflict id.")),
                    ArgumentSpec("notes", help: Localized(zh: "备注。", en: "Notes."), optional: true, variadic: true),
                ],
                options: [
                    OptionSpec(long: "keep", valueName: "side", help: Localized(zh: "保留哪一边：local 或 remote。", en: "Which side to keep: local or remote.")),
                    OptionSpec(long: "offset", valueName: "n", help: Localized(zh: "偏移。", en: "An offset.")),
                ]
            ),
            CommandSpec(name: "status", abstract: Localized(zh: "查看各村同步情况。", en: "Show each village's sync state.")),
        ]
    )
}
