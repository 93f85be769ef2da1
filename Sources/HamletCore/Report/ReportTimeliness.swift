/// Whether each village's data for a period reached the hub by the deadline (按时上报), like DHIS2's
/// REPORTING_RATE_ON_TIME — but late data is never refused: it is counted here, and taken in.
///
/// 口径：截止日为期末次月的第 D 日（默认 5 日）当天结束。某村「按时上报」= 期末之后、截止之前至少同步过一次，
/// 且截止之后没有再收到日期在本期内的数据；「迟报」= 截止后又收到本期数据；「未上报」= 期末到截止之间没有同步。
/// 按时上报率 = 按时上报的村 ÷ 全部村。
public struct ReportTimeliness: Sendable, Codable, Equatable {
    /// One village's standing.
    public enum Status: String, Sendable, Codable, Equatable {
        /// Synced after the period ended and before the deadline, and nothing of the period arrived later.
        case onTime = "on_time"
        /// Data of the period arrived after the deadline (補录/更正 taken in, and counted).
        case late
        /// No sync between the period's end and the deadline.
        case notReported = "not_reported"
        /// The deadline has not passed yet.
        case notDue = "not_due"

        public var label: Label {
            switch self {
            case .onTime: return Label(zh: "按时上报", en: "on time")
            case .late: return Label(zh: "迟报", en: "late")
            case .notReported: return Label(zh: "未上报", en: "not reported")
            case .notDue: return Label(zh: "未到截止日", en: "not yet due")
            }
        }
    }

    /// One village.
    public struct Village: Sendable, Codable, Equatable {
        public var village: String
        public var status: Status
        /// The last sync after the period ended and by the deadline (milliseconds), if any.
        public var lastSyncBeforeDeadline: Int64?
        /// Changes to rows dated in the period that reached the hub after the deadline.
        public var lateChanges: Int
        /// No sync at all since the deadline (the village has gone quiet).
        public var silentSinceDeadline: Bool

        enum CodingKeys: String, CodingKey {
            case village, status
            case lastSyncBeforeDeadline = "last_sync_before_deadline", lateChanges = "late_changes"
            case silentSinceDeadline = "silent_since_deadline"
        }
    }

    /// The deadline day (`YYYY-MM-DD`).
    public var deadline: String
    public var villages: [Village]
    /// 按时上报率 in percent (two decimals); nil before the deadline or without villages.
    public var onTimeRate: Double?

    enum CodingKeys: String, CodingKey {
        case deadline, villages
        case onTimeRate = "on_time_rate"
    }

    /// The deadline of a period: day `day` of the month after it ends (clamped to that month's length).
    public static func deadline(of period: ReportPeriod, day: Int) -> CalendarDate {
        let next = period.to.adding(days: 1)
        let d = min(max(day, 1), CalendarDate.daysIn(month: next.month, year: next.year))
        return CalendarDate(year: next.year, month: next.month, day: d) ?? next
    }

    /// Judges every village.
    /// - Parameters:
    ///   - deadline: the deadline day.
    ///   - deadlinePassed: whether the deadline's day has ended.
    ///   - villages: every village of the township.
    ///   - lastSync: each village's last sync after the period ended and by the deadline.
    ///   - lastSeen: each village's last sync at all.
    ///   - deadlineEndMillis: the deadline day's end.
    ///   - lateChanges: per village, the changes of the period received after the deadline.
    public static func judge(deadline: CalendarDate, deadlinePassed: Bool, villages: [String], lastSync: [String: Int64],
                             lastSeen: [String: Int64], deadlineEndMillis: Int64, lateChanges: [String: Int]) -> ReportTimeliness {
        let rows = villages.map { v -> Village in
            let late = lateChanges[v] ?? 0
            let status: Status
            if !deadlinePassed { status = .notDue }
            else if lastSync[v] == nil { status = .notReported }
            else if late > 0 { status = .late }
            else { status = .onTime }
            let silent = deadlinePassed && (lastSeen[v].map { $0 <= deadlineEndMillis } ?? true)
            return Village(village: v, status: status, lastSyncBeforeDeadline: lastSync[v], lateChanges: late, silentSinceDeadline: silent)
        }
        var rate: Double?
        if deadlinePassed, !rows.isEmpty {
            rate = (Double(rows.filter { $0.status == .onTime }.count) * 10000 / Double(rows.count)).rounded() / 100
        }
        return ReportTimeliness(deadline: deadline.description, villages: rows, onTimeRate: rate)
    }
}
