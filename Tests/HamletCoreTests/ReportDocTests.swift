import Foundation
import Testing
@testable import HamletCore

/// The README documents each figure's 口径 (issue 14): every indicator key is in its table, and every
/// logic-check rule (issue 13) in its own.
@Suite("README documents every figure and rule")
struct ReportDocTests {
    @Test func everyIndicatorAndRuleIsInTheReadme() throws {
        let root = try #require(SeedTests.repositoryRoot(), "no repository above \(#filePath)")
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        for i in Indicator.all {
            #expect(readme.contains("| `\(i.key)` | \(i.label.zh)"), "README lacks the figure \(i.key)")
        }
        for r in CheckRuleSet.register.rules {
            #expect(readme.contains("| `\(r.id)` |"), "README lacks the rule \(r.id)")
        }
    }
}

@Suite("Periods written in Chinese")
struct ChinesePeriodTests {
    @Test(arguments: [("2026年11月", "2026-11"), ("2026年1月", "2026-01"), ("2026年第4季度", "2026-Q4"), ("2026年第四季度", "2026-Q4"),
                      ("2026年4季度", "2026-Q4"), ("2026-4季度", "2026-Q4"), ("2026年", "2026"), (" 2026年11月 ", "2026-11")])
    func readsChineseForms(text: String, period: String) throws {
        #expect(try ReportPeriod(parsing: text).description == period)
    }

    @Test(arguments: ["2026年13月", "2026年第5季度", "年", "2026年11", "十一月"])
    func refusesOthers(text: String) {
        #expect(throws: ReportError.self) { try ReportPeriod(parsing: text) }
    }
}
