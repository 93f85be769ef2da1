extension ReportInput {
    /// The input a generated township gives (demos, tests, the bench): every row is live, there are
    /// no transfers, and the quality counts are zero.
    /// - Parameter township: the generated register.
    public init(township: Township) {
        self.init(villages: township.villages)
        func v(_ r: [String: String], _ k: String) -> String? { r[k].flatMap { $0.isEmpty ? nil : $0 } }
        people = township.people.map {
            Person(id: $0["id"] ?? "", village: $0["village"] ?? "", sex: v($0, "sex"), birthDate: v($0, "birth_date"),
                   nationalID: v($0, "national_id"), maritalStatus: v($0, "marital_status"), residence: v($0, "residence"),
                   mother: v($0, "mother"), father: v($0, "father"))
        }
        events = township.events.map {
            Event(id: $0["id"] ?? "", person: v($0, "person"), village: $0["village"] ?? "", kind: $0["kind"] ?? "", date: v($0, "date"))
        }
        pregnancies = township.pregnancies.map {
            Pregnancy(id: $0["id"] ?? "", woman: v($0, "woman"), village: $0["village"] ?? "", foundOn: v($0, "found_on"),
                      status: v($0, "status"), endKind: v($0, "end_kind"), endedOn: v($0, "ended_on"))
        }
        contraception = township.contraception.map {
            Contraception(id: $0["id"] ?? "", person: v($0, "person"), village: $0["village"] ?? "", method: v($0, "method"),
                          since: v($0, "since"), until: v($0, "until"), status: v($0, "status"))
        }
        visits = township.visits.map {
            Visit(id: $0["id"] ?? "", person: v($0, "person"), village: $0["village"] ?? "", kind: v($0, "kind"), date: v($0, "date"),
                  round: v($0, "round"))
        }
        benefits = township.benefits.map {
            Benefit(id: $0["id"] ?? "", person: v($0, "person"), household: v($0, "household"), village: $0["village"] ?? "",
                    program: v($0, "program"), amountFen: v($0, "amount").flatMap { Int64($0) }, status: v($0, "status"),
                    paidOn: v($0, "paid_on"), period: v($0, "period"), lifecycle: v($0, "lifecycle"))
        }
        quality = [:]
    }
}
