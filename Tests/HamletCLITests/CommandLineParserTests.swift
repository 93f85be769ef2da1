import HamletCLI
import Testing

@Suite struct CommandLineParserTests {
    let root = Fixtures.root

    func parse(_ line: [String]) throws(UsageError) -> Invocation {
        try CommandLineParser.parse(line, root: root)
    }

    func usageError(_ line: [String]) -> UsageError? {
        do {
            _ = try parse(line)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Success

    @Test func optionsInEveryForm() throws {
        let invocation = try parse([
            "people", "add", "--name", "张丽", "--birth-date=1990-03-07", "-t", "a", "-tb", "--tag=c",
            "-j", "H001",
        ])
        #expect(invocation.path == ["people", "add"])
        #expect(invocation.value("name") == "张丽")
        #expect(invocation.value("birth-date") == "1990-03-07")
        #expect(invocation.values("tag") == ["a", "b", "c"])
        #expect(invocation.flag("json"))
        #expect(!invocation.flag("dry-run"))
        #expect(invocation.positionals == ["H001"])
        #expect(invocation.argument("household") == "H001")
        #expect(!invocation.helpRequested)
    }

    @Test func optionsBeforeAndAfterPositionals() throws {
        let before = try parse(["hub", "resolve", "--keep", "local", "c-17"])
        let after = try parse(["hub", "resolve", "c-17", "--keep", "local"])
        #expect(before == after)
        #expect(after.argument("conflict-id") == "c-17")
        #expect(after.value("keep") == "local")
    }

    @Test func inheritedOptionAnywhere() throws {
        let first = try parse(["--lang", "zh", "hub", "status"])
        let last = try parse(["hub", "status", "--lang=zh"])
        #expect(first.value("lang") == "zh")
        #expect(first == last)
    }

    @Test func doubleDashEndsOptions() throws {
        let invocation = try parse(["hub", "resolve", "c-1", "--", "--keep", "-x", "--help"])
        #expect(invocation.positionals == ["c-1", "--keep", "-x", "--help"])
        #expect(invocation.arguments("notes") == ["--keep", "-x", "--help"])
        #expect(invocation.value("keep") == nil)
        #expect(!invocation.helpRequested)
    }

    @Test func negativeNumbers() throws {
        let value = try parse(["hub", "resolve", "--offset", "-5", "c-1"])
        #expect(value.value("offset") == "-5")
        let positional = try parse(["hub", "resolve", "c-1", "-2.5"])
        #expect(positional.arguments("notes") == ["-2.5"])
        let short = try parse(["people", "add", "-c", "-3"])
        #expect(short.value("count") == "-3")
    }

    @Test func clusteredShortFlags() throws {
        let invocation = try parse(["people", "add", "-jn"])
        #expect(invocation.flags == ["json", "dry-run"])
    }

    @Test func emptyAttachedValueAndDashValue() throws {
        let invocation = try parse(["people", "add", "--name=", "--birth-date=-1", "-"])
        #expect(invocation.value("name") == "")
        #expect(invocation.value("birth-date") == "-1")
        #expect(invocation.positionals == ["-"])
    }

    @Test func variadicTakesTheRest() throws {
        let invocation = try parse(["hub", "resolve", "c-1", "a", "b", "c"])
        #expect(invocation.argument("conflict-id") == "c-1")
        #expect(invocation.arguments("notes") == ["a", "b", "c"])
    }

    @Test func repeatedFlagIsHarmless() throws {
        #expect(try parse(["people", "add", "--json", "--json"]).flag("json"))
    }

    // MARK: Help

    @Test(arguments: [
        ["help", "hub", "resolve"], ["hub", "resolve", "--help"], ["hub", "resolve", "-h"],
        ["hub", "--help", "resolve"], ["hub", "resolve", "--bogus", "--help"], ["hub", "resolve", "--keep", "-h"],
    ])
    func helpForms(_ line: [String]) throws {
        let invocation = try parse(line)
        #expect(invocation.path == ["hub", "resolve"])
        #expect(invocation.helpRequested)
    }

    @Test func helpCommandEqualsHelpFlag() throws {
        for path in [[], ["people"], ["people", "add"], ["hub", "resolve"]] as [[String]] {
            let viaCommand = try parse(["help"] + path)
            let viaFlag = try parse(path + ["--help"])
            #expect(viaCommand.path == viaFlag.path)
            #expect(viaCommand.helpRequested && viaFlag.helpRequested)
            for language in Language.allCases {
                #expect(
                    HelpRenderer.help(for: viaCommand.path, root: root, language: language)
                        == HelpRenderer.help(for: viaFlag.path, root: root, language: language)
                )
            }
        }
    }

    @Test func helpCommandKeepsInheritedLanguage() throws {
        let invocation = try parse(["help", "hub", "--lang", "zh"])
        #expect(invocation.path == ["hub"])
        #expect(invocation.value("lang") == "zh")
    }

    @Test func helpCommandWithUnknownSubcommandIsAnError() {
        let error = usageError(["help", "hub", "reslove"])
        #expect(error?.code == .unknownSubcommand)
        #expect(error?.suggestion == "resolve")
    }

    @Test(arguments: [[], ["hub"], ["people"], ["--version"], ["--lang", "zh", "hub"]])
    func commandWithSubcommandsButNoneGivenShowsHelp(_ line: [String]) throws {
        let invocation = try parse(line)
        #expect(invocation.helpRequested)
        #expect(invocation.path == line.filter { $0 == "hub" || $0 == "people" })
    }

    @Test func versionFlagStillParsedAtRoot() throws {
        #expect(try parse(["--version"]).flag("version"))
    }

    // MARK: Errors

    @Test func unknownOptionSuggestsNearest() throws {
        let error = try #require(usageError(["people", "add", "--brith-date", "1990-03-07"]))
        #expect(error.code == .unknownOption)
        #expect(error.path == ["people", "add"])
        #expect(error.suggestion == "--birth-date")
        #expect(error.fullMessage(.en) == "Unknown option '--brith-date'. Did you mean '--birth-date'?")
        #expect(error.fullMessage(.zh) == "未知选项 '--brith-date'。是否要输入 '--birth-date'？")
        #expect(error.exitCode == .usage)
    }

    @Test(arguments: [
        ("--birth_date", "--birth-date"), ("--nationalid", "--national-id"), ("--jsn", "--json"),
        ("--dryrun", "--dry-run"), ("--Name", "--name"),
    ])
    func didYouMean(_ typed: String, _ expected: String) {
        #expect(usageError(["people", "add", typed])?.suggestion == expected)
    }

    @Test func unknownOptionFarFromEverythingHasNoSuggestion() throws {
        let error = try #require(usageError(["people", "add", "--zzzzzzzz"]))
        #expect(error.code == .unknownOption)
        #expect(error.suggestion == nil)
    }

    @Test func unknownShortOption() throws {
        let error = try #require(usageError(["people", "add", "-x"]))
        #expect(error.code == .unknownOption)
        #expect(error.message(.en) == "Unknown option '-x'.")
    }

    @Test func singleDashLongNameSuggestsDoubleDash() throws {
        let error = try #require(usageError(["hub", "resolve", "-keep", "local", "c-1"]))
        #expect(error.code == .unknownOption)
        #expect(error.suggestion == "--keep")
    }

    @Test func optionOfAnotherCommandIsUnknown() {
        #expect(usageError(["hub", "status", "--keep", "local"])?.code == .unknownOption)
        // Not inherited: --version belongs to the root only.
        #expect(usageError(["hub", "status", "--version"])?.code == .unknownOption)
    }

    @Test func unknownSubcommandSuggestsNearest() throws {
        let error = try #require(usageError(["hub", "reslove", "c-1"]))
        #expect(error.code == .unknownSubcommand)
        #expect(error.path == ["hub"])
        #expect(error.suggestion == "resolve")
        #expect(error.message(.zh) == "未知子命令 'reslove'。")
        let top = try #require(usageError(["peple"]))
        #expect(top.message(.en) == "Unknown command 'peple'.")
        #expect(top.suggestion == "people")
    }

    @Test(arguments: [
        ["people", "add", "--name"], ["people", "add", "--name", "--json"], ["people", "add", "-t"],
        ["people", "add", "--name", "--"],
    ])
    func missingValue(_ line: [String]) {
        #expect(usageError(line)?.code == .missingValue)
    }

    @Test func missingValueNamesThePlaceholder() {
        #expect(usageError(["hub", "resolve", "c-1", "--keep"])?.message(.en) == "Missing value for '--keep <side>'.")
    }

    @Test(arguments: [["people", "add", "--json=x"], ["people", "add", "--json="]])
    func valueGivenToFlag(_ line: [String]) {
        #expect(usageError(line)?.code == .unexpectedValue)
    }

    @Test func repeatedOption() throws {
        let error = try #require(usageError(["people", "add", "--name", "张丽", "--name=李四"]))
        #expect(error.code == .duplicateOption)
        #expect(error.message(.zh).contains("张丽"))
    }

    @Test func missingRequiredPositional() throws {
        let error = try #require(usageError(["people", "show"]))
        #expect(error.code == .missingArgument)
        #expect(error.message(.en) == "Missing expected argument '<person-id>'.")
        #expect(usageError(["hub", "resolve", "--keep", "local"])?.code == .missingArgument)
    }

    @Test func tooManyPositionals() throws {
        let error = try #require(usageError(["people", "show", "p-1", "p-2"]))
        #expect(error.code == .unexpectedArgument)
        #expect(error.message(.en) == "Unexpected argument 'p-2'.")
        #expect(usageError(["hub", "status", "x"])?.code == .unexpectedArgument)
    }

    @Test func editDistanceCountsSwapsAsOne() {
        #expect(UsageError.Code.allCases.count == 7)
        #expect(usageError(["people", "add", "--naem"])?.suggestion == "--name")
    }
}

@Suite struct RunsWithoutSubcommandTests {
    static let root = CommandSpec(name: "hamlet", abstract: Localized(zh: "根", en: "root"), subcommands: [
        CommandSpec(name: "report", abstract: Localized(zh: "报表", en: "report"),
                    options: [OptionSpec(long: "period", valueName: "p", help: Localized(zh: "期间", en: "period"))],
                    subcommands: [CommandSpec(name: "close", abstract: Localized(zh: "截止", en: "close"),
                                              arguments: [ArgumentSpec("period", help: Localized(zh: "期间", en: "period"))])],
                    runsWithoutSubcommand: true),
        CommandSpec(name: "group", abstract: Localized(zh: "组", en: "group"),
                    subcommands: [CommandSpec(name: "leaf", abstract: Localized(zh: "叶", en: "leaf"))]),
    ])

    @Test func aCommandThatRunsItselfBesideItsSubcommands() throws {
        let itself = try CommandLineParser.parse(["report", "--period", "2026-11"], root: Self.root)
        #expect(itself.path == ["report"] && !itself.helpRequested && itself.value("period") == "2026-11")
        let child = try CommandLineParser.parse(["report", "close", "2026-11"], root: Self.root)
        #expect(child.path == ["report", "close"] && child.argument("period") == "2026-11")
        let group = try CommandLineParser.parse(["group"], root: Self.root)
        #expect(group.helpRequested, "a plain group still shows its help")
    }
}
