/// A figure that differs between the report as closed (上报数) and as it stands now (当前数): late entries
/// (补录) and corrections (更正) taken in after the close. Late data is never refused; the difference is shown.
public struct ReportDifference: Sendable, Codable, Equatable {
    /// The village, or nil for the township.
    public var village: String?
    public var indicator: String
    /// As reported at the close.
    public var reported: ReportValue
    /// As it stands now.
    public var current: ReportValue
}

extension Report {
    /// Every figure of every place (township first) that differs from `closed`, in indicator order.
    public func differences(from closed: Report) -> [ReportDifference] {
        var out: [ReportDifference] = []
        let places: [String?] = [nil] + Set(villages.keys).union(closed.villages.keys).sorted().map { Optional($0) }
        for place in places {
            let now = place.map { villages[$0] ?? [:] } ?? township
            let then = place.map { closed.villages[$0] ?? [:] } ?? closed.township
            for i in Indicator.all {
                let a = then[i.key] ?? .missing, b = now[i.key] ?? .missing
                if a != b { out.append(ReportDifference(village: place, indicator: i.key, reported: a, current: b)) }
            }
        }
        return out
    }
}
