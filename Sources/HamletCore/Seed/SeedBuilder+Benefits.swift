/// 奖扶 over the register year and the two before: one row per beneficiary and year
/// (`period`), 新增 in the first year, 继续 after, and a 退出 row (no money, a reason)
/// in the year the beneficiary leaves; each payment names its payee and the
/// 一卡通's last four digits.
extension SeedBuilder {
    /// A beneficiary's payments.
    struct Entitlement {
        var person: String?
        var household: String?
        var program: String
        /// Fen a year.
        var amount: Int
        /// The first year paid (before the window: the window opens with 继续).
        var first: Int
        /// The last year paid, when the beneficiary leaves; the next year holds the 退出 row.
        var last: Int?
        var endReason: String?
        var payee: String?
        var account: String?
    }

    mutating func account() -> String {
        String(rng.int(0...9999) + 10000).suffix(4).description
    }

    mutating func entitle(_ village: String, _ e: Entitlement) {
        let year = SeedBuilder.year(today)
        let from = max(e.first, year - 2)
        let through = min(e.last ?? year, year)
        if from <= through {
            for y in from...through {
                var row: [String: String] = ["id": newID(), "village": village, "program": e.program,
                                             "amount": String(e.amount), "period": String(y),
                                             "lifecycle": y == e.first ? "new" : "continuing"]
                if let p = e.person { row["person"] = p }
                if let h = e.household { row["household"] = h }
                if let p = e.payee { row["payee"] = p }
                if let a = e.account { row["account_last4"] = a }
                if y < year {
                    let paid = CalendarDate(year: y, month: rng.int(5...11), day: rng.int(1...28))?.daysSinceEpoch ?? today
                    row["status"] = "paid"
                    row["paid_on"] = SeedBuilder.date(min(paid, today))
                } else {
                    let roll = rng.below(100)
                    if roll < 55, let start = CalendarDate(year: y, month: 3, day: 1)?.daysSinceEpoch, start <= today {
                        row["status"] = "paid"
                        row["paid_on"] = SeedBuilder.date(day(in: start...today))
                    } else {
                        row["status"] = roll < 80 ? "confirmed" : "eligible"
                    }
                }
                township.benefits.append(row)
            }
        }
        if let last = e.last, (year - 2)...year ~= last + 1, last + 1 > e.first {
            var row: [String: String] = ["id": newID(), "village": village, "program": e.program, "amount": "0",
                                         "period": String(last + 1), "lifecycle": "ended", "status": "confirmed",
                                         "end_reason": e.endReason ?? "不再符合条件"]
            if let p = e.person { row["person"] = p }
            if let h = e.household { row["household"] = h }
            township.benefits.append(row)
        }
    }

    /// Who is paid for an elder: the elder, or now and then a spouse or grown child in the household (代领).
    mutating func payee(for i: Int, members: [SeedMember]) -> Int {
        guard rng.chance(12) else { return i }
        return members.indices.first {
            $0 != i && members[$0].death == nil && members[$0].residence != "moved_out"
                && SeedBuilder.age(members[$0].birth, on: today) >= 18
        } ?? i
    }

    mutating func benefits(village: String, householdID: String, members: [SeedMember]) {
        let year = SeedBuilder.year(today)
        var accounts: [Int: String] = [:]
        func accountOf(_ i: Int, _ b: inout SeedBuilder) -> String {
            if let a = accounts[i] { return a }
            let a = b.account()
            accounts[i] = a
            return a
        }
        for (i, m) in members.enumerated() {
            let died = m.death.map(SeedBuilder.year)
            let last = died.map { $0 - 1 }
            if let d = died, d < year - 2 { continue }
            // 农村部分计划生育家庭奖励扶助 from 60: parents of one child (or, rarely, two daughters).
            let sixty = SeedBuilder.year(m.birth) + 60
            if sixty <= (last ?? year), m.children == 1 ? rng.chance(85) : (m.children == 2 && rng.chance(15)) {
                let p = payee(for: i, members: members)
                var e = Entitlement(person: m.id, program: "国家奖扶", amount: 96_000, first: sixty, last: last,
                                    endReason: "本人死亡", payee: members[p].id, account: accountOf(p, &self))
                entitle(village, e)
                if rng.chance(30) {
                    e.program = "省级奖扶"
                    e.amount = 36_000
                    entitle(village, e)
                }
            }
            // 特别扶助 from 49: the only child died or is disabled.
            let fortyNine = SeedBuilder.year(m.birth) + 49
            if m.children == 1, fortyNine <= (last ?? year), rng.chance(4) {
                entitle(village, Entitlement(person: m.id, program: "特别扶助", amount: 708_000, first: max(fortyNine, year - 6),
                                             last: last, endReason: "本人死亡", payee: m.id, account: accountOf(i, &self)))
            }
        }
        // 独生子女父母奖励: a household with one child, paid to a parent until the child turns 18.
        let children = members.indices.filter { members[$0].mother != nil && SeedBuilder.age(members[$0].birth, on: today) <= 20 }
        guard children.count == 1, let mi = members[children[0]].mother, members[mi].children == 1, rng.chance(70) else { return }
        let child = members[children[0]]
        let eighteen = SeedBuilder.year(child.birth) + 18
        let parents = [mi] + (child.father.map { [$0] } ?? [])
        let p = parents.first { members[$0].death == nil && members[$0].residence != "moved_out" } ?? mi
        entitle(village, Entitlement(household: householdID, program: "独生子女父母奖励", amount: 12_000,
                                     first: SeedBuilder.year(child.birth) + rng.int(0...2),
                                     last: eighteen <= year ? eighteen - 1 : nil, endReason: "子女年满18周岁",
                                     payee: members[p].id, account: accountOf(p, &self)))
    }
}
