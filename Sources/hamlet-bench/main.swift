import Foundation
#if canImport(Glibc)
import Glibc
#endif

// `hamlet-bench [--quick] [--json] [--only section,…]`: every figure beside the
// ceiling measured in the same run on the same machine, and the issue's target.
// Figures are printed, never asserted. Progress goes to stderr, the table (or
// the JSON document) to stdout. `scripts/bench` builds this and `hamlet` in release.

/// One line of the table.
struct Figure: Encodable {
    var section: String
    var measure: String
    var value: Double
    var unit: String
    var shown: String
    var ceiling: Double?
    var ceilingShown: String
    var ratio: Double?
    var target: String
    var met: Bool?
    var note: String

    enum CodingKeys: String, CodingKey {
        case section, measure, value, unit, ceiling, ratio, target, met, note
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print("usage: hamlet-bench [--quick] [--county] [--json] [--only reconcile,growth,pull,many,clerk,township,operator]")
    exit(0)
}
let config = Config(quick: arguments.contains("--quick"), county: arguments.contains("--county"))
let json = arguments.contains("--json")
var only: Set<String>?
if let i = arguments.firstIndex(of: "--only"), i + 1 < arguments.count {
    only = Set(arguments[i + 1].split(separator: ",").map(String.init))
}

let sections: [(String, (Config, Scratch) throws -> [Figure])] = [
    ("reconcile", reconcileSection),
    ("growth", growthSection),
    ("pull", pullSection),
    ("many", manyVillagesSection),
    ("clerk", clerkSection),
    ("township", townshipSection),
    ("operator", operatorSection),
]

let started = ContinuousClock.now
var figures: [Figure] = []
var failures: [String] = []
let scratch: Scratch
do { scratch = try Scratch() } catch {
    progress("cannot create a scratch folder: \(error)")
    exit(1)
}
for (name, run) in sections where only == nil || only?.contains(name) == true {
    let t = ContinuousClock.now
    do {
        figures += try run(config, scratch)
        progress("\(name): done in \(String(format: "%.1f", seconds(since: t))) s")
    } catch {
        failures.append("\(name): \(error)")
        progress("\(name) FAILED: \(error)")
    }
}
scratch.remove()
let total = seconds(since: started)

func cores() -> Int { ProcessInfo.processInfo.activeProcessorCount }

if json {
    struct Document: Encodable {
        var quick: Bool
        var cores: Int
        var seconds: Double
        var figures: [Figure]
        var failures: [String]
    }
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    if let d = try? e.encode(Document(quick: config.quick, cores: cores(), seconds: total, figures: figures, failures: failures)) {
        print(String(decoding: d, as: UTF8.self))
    }
} else {
    let header = ["section", "measure", "measured", "beside (same run)", "ratio", "target", "met"]
    var rows: [[String]] = []
    var last = ""
    for f in figures {
        let ratio = f.ratio.map { $0 >= 10 ? String(format: "%.1f×", $0) : String(format: "%.0f%%", $0 * 100) } ?? ""
        let shownRatio = f.unit == "bytes" && f.ceiling != nil ? f.ratio.map { String(format: "%.2f×", $0) } ?? "" : ratio
        let met = f.met.map { $0 ? "yes" : "no" } ?? "-"
        rows.append([f.section == last ? "" : f.section, f.measure, f.shown, f.ceilingShown, shownRatio, f.target, met])
        last = f.section
    }
    var widths = header.map(\.count)
    for r in rows { for (i, cell) in r.enumerated() { widths[i] = max(widths[i], cell.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
            .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    print("Hamlet benchmark\(config.quick ? " (--quick: small sizes)" : "") · \(cores()) cores · \(String(format: "%.0f", total)) s · release build")
    print(line(header))
    print(line(widths.map { String(repeating: "-", count: $0) }))
    for r in rows { print(line(r)) }
    print("")
    print("Notes:")
    for f in figures where !f.note.isEmpty { print("  \(f.section) / \(f.measure): \(f.note)") }
    if !failures.isEmpty {
        print("")
        print("Sections that failed (no figures):")
        for f in failures { print("  \(f)") }
    }
}
exit(failures.isEmpty ? 0 : 1)
