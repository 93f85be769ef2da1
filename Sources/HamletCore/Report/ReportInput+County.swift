extension ReportInput {
    /// The input of a county hub with one column per township (issue 18): every record's village is replaced by its
    /// township, so the same indicators and the same 口径 count per township, and the total is the county's. A move
    /// between two villages of one township is no move for the township and is dropped; quality counts add up.
    /// Villages no township claimed keep their own column.
    /// - Parameter townshipOf: Village → township.
    /// - Returns: The grouped input.
    public func grouped(by townshipOf: [String: String]) -> ReportInput {
        func g(_ v: String) -> String { townshipOf[v] ?? v }
        var out = self
        out.villages = Array(Set(villages.map(g))).sorted()
        out.people = people.map { var x = $0; x.village = g(x.village); return x }
        out.events = events.map { var x = $0; x.village = g(x.village); return x }
        out.pregnancies = pregnancies.map { var x = $0; x.village = g(x.village); return x }
        out.contraception = contraception.map { var x = $0; x.village = g(x.village); return x }
        out.visits = visits.map { var x = $0; x.village = g(x.village); return x }
        out.benefits = benefits.map { var x = $0; x.village = g(x.village); return x }
        out.moves = moves.compactMap { m in
            var x = m
            (x.from, x.to) = (g(m.from), g(m.to))
            return x.from == x.to ? nil : x
        }
        out.quality = quality.map { q in
            var sum: [String: Quality] = [:]
            for (v, c) in q {
                var s = sum[g(v)] ?? Quality()
                s.openConflicts += c.openConflicts
                s.openDuplicates += c.openDuplicates
                s.checkItems += c.checkItems
                sum[g(v)] = s
            }
            return sum
        }
        return out
    }
}
