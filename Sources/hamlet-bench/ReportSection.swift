import Foundation
import HamletCore
import HamletStore

/// The monthly report's speed (issue 14): the township's yearly and monthly reports at the hub (under 2 s and
/// 0.5 s at 50 villages × 3,000 people) and a village's report on its node (under 0.2 s).
func hubReportFigures(hub: HubStore, full: Bool) throws -> [Figure] {
    progress("township: hub report for a year and a month")
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    let year = try ReportPeriod(parsing: "2025"), month = try ReportPeriod(parsing: "2025-11")
    _ = try hub.check(wallMillis: now)  // the 核查 counts the report shows come from the rules' last run (kept while nothing is written)
    var births = 0
    let yearSeconds = try timed { births = Int(try hub.report(period: year, wallMillis: now).township["births"]?.integer ?? 0) }
    let monthSeconds = try timed { _ = try hub.report(period: month, wallMillis: now) }
    let figuresOnly = try timed { _ = try hub.report(period: year, checks: false, wallMillis: now) }
    let scale = full ? "" : " (at 50×3000)"
    return [
        Figure(section: "Report", measure: "hub report, a year, whole township", value: yearSeconds, unit: "s", shown: fmtSeconds(yearSeconds),
               ceiling: nil, ceilingShown: "", ratio: nil, target: "< 2 s" + scale, met: full ? yearSeconds < 2 : nil,
               note: "every village and the township, \(births) births in 2025; 核查 counts from the rules' last run (a cold run adds the hub check above); figures alone \(fmtSeconds(figuresOnly))"),
        Figure(section: "Report", measure: "hub report, a month, whole township", value: monthSeconds, unit: "s", shown: fmtSeconds(monthSeconds),
               ceiling: nil, ceilingShown: "", ratio: nil, target: "< 0.5 s" + scale, met: full ? monthSeconds < 0.5 : nil,
               note: "reads only what the month needs"),
    ]
}

/// A village's own report on its node (the resync section's replica).
func nodeReportFigure(replicaDir: String, people: Int) throws -> Figure {
    let replica = try Replica.open(directory: replicaDir)
    defer { replica.close() }
    let year = try ReportPeriod(parsing: "2025")
    _ = try replica.report(period: year)
    let seconds = try timed { _ = try replica.report(period: year) }
    return Figure(section: "Report", measure: "node report, a year, one \(people)-person village", value: seconds, unit: "s",
                  shown: fmtSeconds(seconds), ceiling: nil, ceilingShown: "", ratio: nil, target: "< 0.2 s", met: seconds < 0.2,
                  note: "Replica.report over the village's visible rows, offline")
}
