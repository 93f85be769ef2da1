import CSQLite
import Foundation
import HamletCore
import HamletStore

/// `hamlet hub check` over the township (issue 13: under 10 s at 50 villages × 3,000 people), beside the raw
/// ceiling: stepping through the same columns of the same rows in the plain tables, doing nothing with them.
func checkFigure(hub: HubStore, raw: RawDB, full: Bool) throws -> Figure {
    progress("township: hub check (every rule over every card)")
    var items = 0
    let seconds = try timed {
        items = try hub.check(wallMillis: Int64(Date().timeIntervalSince1970 * 1000)).items.count
    }
    let scan = try timed {
        for (table, columns) in CheckData.columns {
            let s = try raw.prepare("SELECT id, " + columns.map { "\"\($0)\"" }.joined(separator: ", ") + " FROM \"\(table)\"")
            while sqlite3_step(s) == SQLITE_ROW {
                for i in 0...columns.count { _ = sqlite3_column_text(s, Int32(i)) }
            }
            sqlite3_reset(s)
        }
    }
    return Figure(section: "Logic check", measure: "hub check, whole township", value: seconds, unit: "s", shown: fmtSeconds(seconds),
                  ceiling: scan, ceilingShown: fmtSeconds(scan) + " scan", ratio: seconds / max(scan, 1e-6),
                  target: full ? "< 10 s" : "< 10 s (at 50×3000)", met: full ? seconds < 10 : nil,
                  note: "\(CheckRuleSet.register.rules.count) rules over every person's card and the whole register; \(items) items listed")
}
