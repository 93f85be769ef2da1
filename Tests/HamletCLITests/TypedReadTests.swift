import HamletCLI
import Testing

/// Reading options and arguments through their declared specs: the reached command's own, its inherited ones,
/// and a crash for one it never declared (a handler reading a flag the parser could never have filled).
@Suite struct TypedReadTests {
    static let keep = Fixtures.hub.subcommand(named: "resolve")?.options.first { $0.long == "keep" }
    static let tag = Fixtures.peopleAdd.options.first { $0.long == "tag" }
    static let json = Fixtures.peopleAdd.options.first { $0.long == "json" }
    static let lang = Fixtures.root.options.first { $0.long == "lang" }

    @Test func declaredOptionsReadByTheirSpec() throws {
        let invocation = try CommandLineParser.parse(["people", "add", "-t", "a", "--tag=b", "--json", "--lang", "en"], root: Fixtures.root)
        #expect(invocation.values(try #require(Self.tag)) == ["a", "b"])
        #expect(invocation.flag(try #require(Self.json)))
        #expect(invocation.value(try #require(Self.lang)) == "en")  // inherited from the root
        #expect(invocation.acceptedOptions.contains("dry-run"))
        #expect(!invocation.acceptedOptions.contains("keep"))
    }

    @Test func declaredButAbsentReadsAsAbsent() throws {
        let invocation = try CommandLineParser.parse(["hub", "resolve", "c-1"], root: Fixtures.root)
        #expect(invocation.value(try #require(Self.keep)) == nil)
        let conflict = try #require(Fixtures.hub.subcommand(named: "resolve")?.arguments.first)
        #expect(invocation.argument(conflict) == "c-1")
    }

    @Test func helpStillRecordsWhatTheCommandAccepts() throws {
        let invocation = try CommandLineParser.parse(["hub", "resolve", "--help"], root: Fixtures.root)
        #expect(invocation.helpRequested)
        #expect(invocation.acceptedOptions == ["keep", "offset", "lang"])
        #expect(invocation.acceptedArguments == ["conflict-id", "notes"])
    }

    @Test func readingAnUndeclaredOptionStops() async {
        // `hub resolve` has --keep but no --json: a handler asking for --json is a wiring mistake.
        await #expect(processExitsWith: .failure) {
            guard let json = Fixtures.peopleAdd.options.first(where: { $0.long == "json" }),
                  let invocation = try? CommandLineParser.parse(["hub", "resolve", "c-1"], root: Fixtures.root) else { return }
            _ = invocation.flag(json)
        }
    }

    @Test func readingAnotherCommandsOptionStops() async {
        // `people add` never declares --keep (it belongs to `hub resolve`), even though the flag exists in the tree.
        await #expect(processExitsWith: .failure) {
            guard let keep = Fixtures.hub.subcommand(named: "resolve")?.options.first(where: { $0.long == "keep" }),
                  let invocation = try? CommandLineParser.parse(["people", "add"], root: Fixtures.root) else { return }
            _ = invocation.value(keep)
        }
    }

    @Test func readingAnUndeclaredArgumentStops() async {
        await #expect(processExitsWith: .failure) {
            let person = ArgumentSpec("person-id", help: Localized(zh: "人员编号。", en: "The person id."))
            guard let invocation = try? CommandLineParser.parse(["hub", "resolve", "c-1"], root: Fixtures.root) else { return }
            _ = invocation.argument(person)
        }
    }
}
