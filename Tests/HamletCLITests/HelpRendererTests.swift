import HamletCLI
import Testing

@Suite struct HelpRendererTests {
    let root = Fixtures.root

    @Test func englishLeafHelpLayout() {
        let text = HelpRenderer.help(for: ["hub", "resolve"], root: root, language: .en)
        let expected = """
            OVERVIEW: Resolve a conflict.

            USAGE: hamlet hub resolve [<options>] <conflict-id> [<notes> ...]

            ARGUMENTS:
              <conflict-id>           The conflict id.
              <notes> ...             Notes.

            OPTIONS:
              --keep <side>           Which side to keep: local or remote.
              --offset <n>            An offset.
              --lang <lang>           Interface language: zh or en.
              -h, --help              Show help information.

            """
        #expect(text == expected)
    }

    @Test func chineseGroupHelpLayout() {
        let text = HelpRenderer.help(for: ["hub"], root: root, language: .zh)
        let expected = """
            概述：镇中心操作。

            用法：hamlet hub [--lang <lang>] <子命令>

            选项：
              --lang <lang>           界面语言：zh 或 en。
              -h, --help              显示帮助信息。

            子命令：
              resolve                 处理一个冲突。
              status                  查看各村同步情况。

              运行 'hamlet help hub <子命令>' 查看子命令的详细帮助。

            """
        #expect(text == expected)
    }

    @Test(arguments: Language.allCases)
    func rootHelpHasEverySection(_ language: Language) {
        let text = HelpRenderer.help(for: [], root: root, language: language)
        let headings = language == .en
            ? ["OVERVIEW: ", "USAGE: ", "OPTIONS:", "SUBCOMMANDS:", "EXAMPLES:"]
            : ["概述：", "用法：", "选项：", "子命令：", "示例："]
        var previous = text.startIndex
        for heading in headings {
            let range = text.firstRange(of: heading)
            #expect(range != nil, "missing \(heading)")
            if let range {
                #expect(range.lowerBound >= previous, "\(heading) out of order")
                previous = range.lowerBound
            }
        }
        #expect(text.contains("  hamlet people add --name 张丽 --birth-date 1990-03-07"))
    }

    @Test func argumentsSectionAndDefault() {
        let en = HelpRenderer.help(for: ["people", "add"], root: root, language: .en)
        #expect(en.contains("ARGUMENTS:\n  <household>             The household id."))
        #expect(en.contains("-c, --count <n>         A count. (default: 1)"))
        #expect(en.contains("-t, --tag <tag> ..."))
        let zh = HelpRenderer.help(for: ["people", "add"], root: root, language: .zh)
        #expect(zh.contains("参数：\n  <household>             户编号。"))
        #expect(zh.contains("数量（默认：1）。"))
    }

    @Test(arguments: [40, 50, 60, 80, 100])
    func chineseWrapsWithinWidth(_ width: Int) {
        let text = HelpRenderer.help(for: ["people", "add"], root: root, language: .zh, width: width)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines where !line.hasPrefix("用法：") && !line.hasPrefix("  hamlet ") {
            #expect(TextWidth.cells(line) <= width, "\(line) is \(TextWidth.cells(line)) cells")
            #expect(!line.hasSuffix(" "))
        }
        // Closing punctuation never starts a line.
        for line in lines {
            let trimmed = line.drop { $0 == " " }
            #expect(!(trimmed.first.map { "，。、；：）".contains($0) } ?? false), "\(line)")
        }
        // The whole discussion survives the wrapping.
        let discussion = Fixtures.peopleAdd.discussion?.zh ?? ""
        let joined = lines.map { $0.trimmingPrefixSpaces }.joined()
        #expect(joined.contains(discussion))
    }

    @Test func chineseDiscussionWrapsAtForty() {
        let text = HelpRenderer.help(for: ["people", "add"], root: root, language: .zh, width: 40)
        let lines = text.split(separator: "\n").map(String.init)
        let start = lines.firstIndex { $0.hasPrefix("每个字段") }
        #expect(start != nil)
        if let start {
            // A full wrapped Chinese line covers 39 or 40 cells.
            #expect(TextWidth.cells(lines[start]) >= 39)
        }
    }

    @Test func englishDescriptionWrapsUnderItsColumn() {
        let text = HelpRenderer.help(for: ["people", "add"], root: root, language: .en, width: 50)
        for line in text.split(separator: "\n") {
            #expect(TextWidth.cells(line) <= 50 || line.hasPrefix("USAGE:") || line.hasPrefix("  hamlet "))
        }
        #expect(text.contains("USAGE: hamlet people add [<options>] [<household>]"))
    }

    @Test func longOptionLabelPutsDescriptionBelow() {
        let tree = CommandSpec(
            name: "hamlet",
            abstract: Localized(verbatim: "x"),
            options: [OptionSpec(long: "very-long-option-name", valueName: "value", help: Localized(verbatim: "Described."))]
        )
        let text = HelpRenderer.help(for: [], root: tree, language: .en)
        #expect(text.contains("  --very-long-option-name <value>\n                          Described.\n"))
    }

    @Test func usageErrorEnglish() throws {
        let error = try #require(usageError(["people", "add", "--brith-date", "x"]))
        let text = HelpRenderer.usageError(error, root: root, language: .en)
        #expect(text == """
            Error: Unknown option '--brith-date'. Did you mean '--birth-date'?

            Usage: hamlet people add [<options>] [<household>]
            See 'hamlet people add --help' for more information.

            """)
    }

    @Test func usageErrorChinese() throws {
        let error = try #require(usageError(["hub", "resolve"]))
        let text = HelpRenderer.usageError(error, root: root, language: .zh)
        #expect(text == """
            错误：缺少参数 '<conflict-id>'。

            用法：hamlet hub resolve [<选项>] <conflict-id> [<notes> ...]
            运行 'hamlet hub resolve --help' 查看帮助。

            """)
    }

    @Test func usageErrorAtRoot() throws {
        let error = try #require(usageError(["peple"]))
        let text = HelpRenderer.usageError(error, root: root, language: .en)
        #expect(text.hasPrefix("Error: Unknown command 'peple'. Did you mean 'people'?\n\nUsage: hamlet "))
        #expect(text.hasSuffix("See 'hamlet --help' for more information.\n"))
    }

    func usageError(_ line: [String]) -> UsageError? {
        do {
            _ = try CommandLineParser.parse(line, root: root)
            return nil
        } catch {
            return error
        }
    }
}

extension Substring {
    var trimmingPrefixSpaces: Substring { drop { $0 == " " } }
}
