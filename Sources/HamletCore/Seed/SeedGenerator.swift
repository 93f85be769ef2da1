/// Makes a realistic, deterministic township register for demos, tests and
/// benchmarks.
///
/// The same parameters give byte-identical output on every machine: all
/// randomness comes from `SeedRandom`, row ids from `RowID.make` fed by a
/// synthetic clock that starts 30 days before `asOf` and advances a few
/// milliseconds per row (so ids are time-ordered), and nothing in the output
/// depends on hashing order.
///
/// What it makes, per village: households of 1–6 people (nuclear families,
/// three generations, elderly couples, widowed elders, single adults, single
/// mothers) at addresses such as 北赵村三组12号; people with surnames drawn by
/// national frequency (and a village's own surname favoured: 北赵 has many 赵),
/// era-typical given names, national IDs from the township's region (wives who
/// married in carry their home county's code) whose birth date and sex digit
/// agree with the row, all distinct; children born when their mother was 20–40,
/// linked to the mother and father listed with them (`people.mother`/`father`),
/// about 60/30/10 一孩/二孩/多孩 among recent births, a few twins, and a sex ratio
/// at birth of about 106 for first children and 117 for later ones; birth,
/// marriage, divorce, death and move events; child-health, prenatal,
/// postnatal, elderly health-check and chronic-disease follow-up visits, and the
/// year's 查环/查孕 rounds (3月、7月、11月) for married women of 15–49;
/// pregnancies (孕情) ongoing, born (closed by the child) and ended, each
/// followed by the group's 责任人; contraception (节育措施) histories of married
/// women of 15–49; and 国家奖扶 / 省级奖扶 / 特别扶助 / 独生子女父母奖励 over
/// three years with 新增/继续/退出, a payee and the account's last four digits.
/// Every row passes `Validator`.
public struct SeedGenerator: Sendable {
    /// The PRNG seed.
    public var seed: UInt64
    /// The village names, in order.
    public var villages: [String]
    /// About how many people each village gets (the last household may overshoot by a few).
    public var peoplePerVillage: Int
    /// The day the register describes: nothing is dated after it.
    public var asOf: CalendarDate
    /// The township's county region code (first six digits of local IDs).
    public var region: Int
    /// The county's telephone area code, for landlines.
    public var areaCode: String

    /// The register date used when none is given: 2025-12-31.
    public static let defaultAsOf = CalendarDate(daysSinceEpoch: 20_453)

    /// Makes a generator for named villages.
    /// - Parameters:
    ///   - seed: the PRNG seed.
    ///   - villages: the village names (without 村), in order.
    ///   - peoplePerVillage: the target number of people per village.
    ///   - asOf: the register date; nothing is dated after it.
    ///   - region: the county region code; 370481 is 滕州市, Shandong.
    ///   - areaCode: the county's telephone area code.
    public init(seed: UInt64, villages: [String] = ["北赵", "南赵", "东庄"], peoplePerVillage: Int = 100,
                asOf: CalendarDate = SeedGenerator.defaultAsOf, region: Int = 370481, areaCode: String = "0632") {
        self.seed = seed
        self.villages = villages
        self.peoplePerVillage = peoplePerVillage
        self.asOf = asOf
        self.region = region
        self.areaCode = areaCode
    }

    /// Makes a generator for `villageCount` villages named by `villageNames(count:)`.
    /// - Parameters:
    ///   - seed: the PRNG seed.
    ///   - villageCount: how many villages.
    ///   - peoplePerVillage: the target number of people per village.
    ///   - asOf: the register date.
    public init(seed: UInt64, villageCount: Int, peoplePerVillage: Int, asOf: CalendarDate = SeedGenerator.defaultAsOf) {
        self.init(seed: seed, villages: SeedGenerator.villageNames(count: villageCount),
                  peoplePerVillage: peoplePerVillage, asOf: asOf)
    }

    /// `count` distinct village names: 北赵, 南赵, 东庄, 西河, 李家营 … then
    /// names built deterministically from common parts (王家庄, 东李营 …).
    /// - Parameter count: how many names.
    /// - Returns: the names, always in the same order.
    public static func villageNames(count: Int) -> [String] {
        SeedNames.villages(count: max(0, count))
    }

    /// Generates the township.
    /// - Returns: every table's rows, in creation order.
    public func generate() -> Township {
        var b = SeedBuilder(generator: self)
        for village in villages { b.village(village) }
        return b.township
    }

    /// Generates the township one village at a time, handing each village's rows to `body` and then letting them
    /// go, so memory holds one village, not the township. The rows are exactly those of ``generate()``, in order.
    /// - Parameter body: Called once per village with a township holding that village's rows only.
    public func generate(byVillage body: (Township) throws -> Void) rethrows {
        var b = SeedBuilder(generator: self, reserving: false)
        for village in villages {
            b.village(village)
            try body(b.township)
            b.township.removeRows()
        }
    }
}

/// One person while a household is being made; days count from 1970-01-01.
struct SeedMember {
    var id = ""
    var surname: String
    var given: String
    var male: Bool
    var birth: Int
    var region: Int
    var marital = "single"
    var residence = "resident"
    var marriage: Int?
    var spouseName: String?
    var divorce: Int?
    var death: Int?
    var moveIn: (day: Int, from: String)?
    var moveOut: (day: Int, to: String, reason: String)?
    var mother: Int?
    var father: Int?
    /// 1 for a mother's first birth, 2 for her second … (children not listed count too).
    var birthOrder = 0
    var phone: String?
    /// Children alive anywhere (for benefit eligibility).
    var children = 0
    /// Weeks pregnant on the register date, or 0.
    var pregnantWeeks = 0

    var name: String { surname + given }
}

/// The mutable state of one generation run.
struct SeedBuilder {
    var rng: SeedRandom
    var clock: Int64
    let today: Int
    let region: Int
    let areaCode: String
    let peoplePerVillage: Int
    var usedIDs = Set<String>()
    var township: Township

    init(generator g: SeedGenerator, reserving: Bool = true) {
        rng = SeedRandom(seed: g.seed)
        today = g.asOf.daysSinceEpoch
        clock = Int64(today - 30) * 86_400_000
        region = g.region
        areaCode = g.areaCode
        peoplePerVillage = g.peoplePerVillage
        township = Township(schema: .register, villages: g.villages, asOf: g.asOf)
        let estimate = (reserving ? g.villages.count : 1) * g.peoplePerVillage
        township.people.reserveCapacity(estimate + 16)
        township.households.reserveCapacity(estimate / 2)
        township.events.reserveCapacity(estimate)
        township.visits.reserveCapacity(estimate)
        township.mothers.reserveCapacity(estimate / 2)
        usedIDs.reserveCapacity(estimate + 16)
    }

    // MARK: Dates

    static func date(_ day: Int) -> String { CalendarDate(daysSinceEpoch: day).description }

    /// `day` moved by `years` calendar years (29 February becomes 28 February).
    static func adding(years: Int, to day: Int) -> Int {
        let d = CalendarDate(daysSinceEpoch: day)
        let y = d.year + years
        let dd = min(d.day, CalendarDate.daysIn(month: d.month, year: y))
        guard let r = CalendarDate(year: y, month: d.month, day: dd) else {
            preconditionFailure("seed dates stay within 1850...2199")
        }
        return r.daysSinceEpoch
    }

    /// Whole years from `birth` to `day`.
    static func age(_ birth: Int, on day: Int) -> Int {
        let b = CalendarDate(daysSinceEpoch: birth)
        let d = CalendarDate(daysSinceEpoch: day)
        var a = d.year - b.year
        if (d.month, d.day) < (b.month, b.day) { a -= 1 }
        return a
    }

    static func year(_ day: Int) -> Int { CalendarDate(daysSinceEpoch: day).year }

    /// A birth day for someone aged `years` on the register date.
    mutating func birthDay(age years: ClosedRange<Int>) -> Int {
        today - rng.int(years) * 365 - rng.int(0...364)
    }

    mutating func day(in range: ClosedRange<Int>) -> Int {
        range.upperBound <= range.lowerBound ? range.lowerBound : rng.int(range)
    }

    // MARK: Names and numbers

    mutating func surname(village favourite: String?) -> String {
        if let f = favourite, rng.chance(35) { return f }
        return SeedNames.surnames[rng.weighted(cumulative: SeedNames.surnameCumulative)].0
    }

    mutating func given(male: Bool, birth: Int) -> String {
        let y = SeedBuilder.year(birth)
        if y < 1970 { return rng.pick(male ? SeedNames.maleOld : SeedNames.femaleOld) }
        if y < 1995 { return rng.pick(male ? SeedNames.maleMid : SeedNames.femaleMid) }
        return rng.pick(male ? SeedNames.maleYoung : SeedNames.femaleYoung)
    }

    mutating func member(surname: String, male: Bool, birth: Int) -> SeedMember {
        SeedMember(surname: surname, given: given(male: male, birth: birth), male: male, birth: birth, region: region)
    }

    mutating func mobile() -> String {
        var s = rng.pick(SeedNames.mobilePrefixes)
        for _ in 0..<8 { s += String(rng.below(10)) }
        return s
    }

    mutating func nationalID(region: Int, birth: Int, male: Bool) -> String {
        let date = CalendarDate(daysSinceEpoch: birth)
        while true {
            let seq = rng.below(500) * 2 + (male ? 1 : 0)
            let id = NationalID.make(region: region, birth: date, sequence: seq)
            if usedIDs.insert(id).inserted { return id }
        }
    }

    mutating func newID() -> String {
        clock += Int64(1 + rng.below(12))
        return RowID.make(unixMillis: clock, using: &rng)
    }

    // MARK: Families

    /// A married couple with the husband born on `husbandBirth`, or nil when
    /// they would be too young to have married by the register date.
    mutating func couple(husbandBirth hb: Int, favourite: String?) -> (SeedMember, SeedMember)? {
        let wb = hb + rng.int(-730...2555)
        let oldLaw = SeedBuilder.year(hb) < 1958
        let earliest = max(SeedBuilder.adding(years: oldLaw ? 20 : 22, to: hb),
                           SeedBuilder.adding(years: oldLaw ? 18 : 20, to: wb))
        guard earliest < today - 60 else { return nil }
        let latest = min(earliest + 365 * 7, today - 60)
        let married = earliest + min(rng.int(0...(latest - earliest)), rng.int(0...(latest - earliest)))
        var h = member(surname: surname(village: favourite), male: true, birth: hb)
        var w = member(surname: surname(village: nil), male: false, birth: wb)
        h.marital = "married"
        w.marital = "married"
        h.marriage = married
        w.marriage = married
        h.spouseName = w.name
        w.spouseName = h.name
        if SeedBuilder.year(married) >= 1995, rng.chance(35) {
            let home = rng.pick(SeedNames.nearbyRegions.filter { $0.code != region })
            w.region = home.code
            w.residence = "moved_in"
            w.moveIn = (married, home.name)
        }
        return (h, w)
    }

    /// Birth days of a couple's children: after the marriage, while the mother is 20–40, none after the register date.
    mutating func childBirths(motherBirth mb: Int, married: Int) -> [Int] {
        let y = SeedBuilder.year(married)
        let count: Int
        if y < 1978 {
            count = rng.int(2...4)
        } else if y < 2014 {
            count = [1, 1, 1, 2, 2, 2, 2, 3, 0][rng.below(9)]
        } else {
            count = [0, 1, 1, 1, 2, 2, 2, 3, 3][rng.below(9)]
        }
        let earliest = max(married + rng.int(300...900), SeedBuilder.adding(years: 20, to: mb))
        let limit = min(SeedBuilder.adding(years: 41, to: mb) - 1, today)
        var out: [Int] = []
        var d = earliest
        while out.count < count, d <= limit {
            out.append(d)
            // About one birth in 70 is twins: the same day, consecutive 孩次.
            if out.count < count, rng.below(1000) < 14 { out.append(d) }
            d += rng.int(450...2200)
        }
        return out
    }

    /// Children of a couple, those still listed in the household, with the mother at index
    /// `motherIndex` and the father (when listed) at `fatherIndex`. Boys are born 515 in 1,000
    /// first births (a ratio of 106) and 540 in 1,000 later ones (117), as the field reports.
    mutating func listedChildren(births: [Int], surname family: String, motherIndex: Int, fatherIndex: Int?,
                                 room: Int) -> [SeedMember] {
        var out: [SeedMember] = []
        for (order, b) in births.enumerated() where out.count < room {
            let male = rng.below(1000) < (order == 0 ? 515 : 540)
            var c = member(surname: family, male: male, birth: b)
            c.mother = motherIndex
            c.father = fatherIndex
            c.birthOrder = order + 1
            let a = SeedBuilder.age(b, on: today)
            let roll = rng.below(100)
            if a >= 23 {
                let (stay, away) = male ? (35, 60) : (20, 30)
                if roll >= away { continue }
                if roll >= stay { leave(&c) }
            } else if a >= 18, roll < 20 {
                leave(&c)
            }
            out.append(c)
        }
        return out
    }

    /// Marks someone as living away (迁出) since a day after their 18th birthday.
    mutating func leave(_ m: inout SeedMember) {
        let from = SeedBuilder.adding(years: 18, to: m.birth)
        guard from < today else { return }
        m.residence = "moved_out"
        m.moveOut = (day(in: from...(today - 1)), rng.pick(SeedNames.cities), rng.pick(SeedNames.workReasons))
    }

    /// The parents of someone born on `childBirth`: the mother was 22–38 at the birth.
    mutating func parents(ofChildBorn cb: Int, surname family: String) -> (SeedMember, SeedMember) {
        let mb = cb - rng.int(22 * 365...38 * 365)
        let fb = mb - rng.int(-365...(6 * 365))
        var f = member(surname: family, male: true, birth: fb)
        var m = member(surname: surname(village: nil), male: false, birth: mb)
        let lower = max(SeedBuilder.adding(years: 20, to: fb), SeedBuilder.adding(years: 18, to: mb))
        let married = max(lower, min(cb - 300, cb - rng.int(300...2000)))
        f.marital = "married"
        m.marital = "married"
        f.marriage = married
        m.marriage = married
        f.spouseName = m.name
        m.spouseName = f.name
        f.children = rng.int(1...3)
        m.children = f.children
        return (f, m)
    }

    /// A death on a day in the last three years.
    mutating func die(_ m: inout SeedMember, survivor: inout SeedMember) {
        let lower = max(m.birth + 1, (m.marriage ?? m.birth) + 1, today - 1_095)
        m.death = day(in: lower...today)
        survivor.marital = "widowed"
    }

    // MARK: Villages and households

    mutating func village(_ name: String) {
        let favourite = SeedNames.surnames.first { name.contains($0.0) }?.0
        let groups = min(12, max(3, peoplePerVillage / 350))
        var numbers = [Int](repeating: 0, count: groups)
        // Each group's leader (小组长) is the 责任人 who follows its pregnancies and contraception.
        var leaders: [String] = []
        for _ in 0..<groups {
            leaders.append(surname(village: favourite) + given(male: false, birth: birthDay(age: 38...55)))
        }
        var made = 0
        while made < peoplePerVillage {
            let g = rng.below(groups)
            numbers[g] += 1 + (rng.chance(10) ? 1 : 0)
            let address = "\(name)村\(SeedNames.groupNumerals[g])组\(numbers[g])号"
            made += household(village: name, address: address, favourite: favourite, leader: leaders[g])
        }
    }

    /// Makes one household and its rows; returns how many people it has.
    mutating func household(village: String, address: String, favourite: String?, leader: String) -> Int {
        var members: [SeedMember] = []
        var head = 0
        let kind = rng.weighted(cumulative: [40, 62, 76, 84, 92, 96, 100])
        switch kind {
        case 0, 1:
            // Nuclear family (0) or three generations (1).
            let hb = kind == 0 ? birthDay(age: 24...58) : birthDay(age: 26...50)
            guard let (h, w) = couple(husbandBirth: hb, favourite: favourite) else { return 0 }
            members = [h, w]
            if kind == 1 {
                var (f, m) = parents(ofChildBorn: hb, surname: h.surname)
                let roll = rng.below(100)
                if roll < 25 {
                    m.marital = "widowed"
                    members.append(m)
                    members[0].mother = 2
                } else {
                    if roll < 33 { die(&f, survivor: &m) }
                    members.append(f)
                    members.append(m)
                    members[0].mother = 3
                    members[0].father = 2
                }
            }
            let births = childBirths(motherBirth: w.birth, married: w.marriage ?? w.birth)
            members[0].children = births.count
            members[1].children = births.count
            members += listedChildren(births: births, surname: h.surname, motherIndex: 1, fatherIndex: 0, room: 6 - members.count)
            if rng.chance(6) { leave(&members[0]) }
        case 2:
            // Elderly couple whose children live elsewhere.
            guard var (h, w) = couple(husbandBirth: birthDay(age: 58...86), favourite: favourite) else { return 0 }
            h.children = SeedBuilder.year(h.birth) < 1955 ? rng.int(2...5) : rng.int(1...3)
            w.children = h.children
            if rng.chance(15) {
                die(&h, survivor: &w)
                head = 1
            }
            members = [h, w]
        case 3:
            // Widowed elder living alone.
            let male = rng.chance(30)
            let b = birthDay(age: 68...94)
            var p = member(surname: male ? surname(village: favourite) : surname(village: nil), male: male, birth: b)
            p.marital = "widowed"
            p.marriage = day(in: SeedBuilder.adding(years: 20, to: b)...SeedBuilder.adding(years: 26, to: b))
            p.spouseName = surname(village: male ? nil : favourite) + given(male: !male, birth: b)
            p.children = SeedBuilder.year(b) < 1945 ? rng.int(2...5) : rng.int(1...3)
            members = [p]
        case 4:
            // Single adult, never married or divorced.
            let male = rng.chance(85)
            let b = birthDay(age: 28...62)
            var p = member(surname: male ? surname(village: favourite) : surname(village: nil), male: male, birth: b)
            if rng.chance(30) {
                p.marital = "divorced"
                let m = day(in: SeedBuilder.adding(years: 22, to: b)...SeedBuilder.adding(years: 27, to: b))
                p.marriage = m
                p.divorce = day(in: (m + 200)...min(today - 1, m + 3_000))
                p.spouseName = surname(village: nil) + given(male: !male, birth: b)
            }
            if rng.chance(15) { leave(&p) }
            members = [p]
        case 5:
            // Divorced mother with her children.
            let b = birthDay(age: 30...45)
            var p = member(surname: surname(village: nil), male: false, birth: b)
            let married = day(in: SeedBuilder.adding(years: 21, to: b)...SeedBuilder.adding(years: 26, to: b))
            let exSurname = surname(village: favourite)
            p.marital = "divorced"
            p.marriage = married
            p.spouseName = exSurname + given(male: true, birth: b)
            var births = childBirths(motherBirth: b, married: married)
            if births.isEmpty { births = [min(today, SeedBuilder.adding(years: 1, to: married))] }
            let last = births[births.count - 1]
            p.divorce = day(in: (last + 100)...max(last + 100, min(today, last + 2_500)))
            if let d = p.divorce, d > today { p.divorce = today }
            p.children = births.count
            members = [p]
            members += listedChildren(births: births, surname: exSurname, motherIndex: 0, fatherIndex: nil, room: 5)
        default:
            // Young couple, recently married.
            guard let (h, w) = couple(husbandBirth: birthDay(age: 23...30), favourite: favourite) else { return 0 }
            members = [h, w]
            let births = childBirths(motherBirth: w.birth, married: w.marriage ?? w.birth)
            members += listedChildren(births: births, surname: h.surname, motherIndex: 1, fatherIndex: 0, room: 4)
            members[0].children = members.count - 2
            members[1].children = members.count - 2
        }
        if members[head].death != nil { head = members.firstIndex { $0.death == nil } ?? head }
        emit(village: village, address: address, members: &members, head: head, leader: leader)
        return members.count
    }

    // MARK: Rows

    mutating func emit(village: String, address: String, members: inout [SeedMember], head: Int, leader: String) {
        // Parents do not give a child a name someone in the household already has.
        for i in members.indices where members[i].mother != nil && members[i].marital == "single" {
            var tries = 0
            while tries < 8, members[..<i].contains(where: { $0.given == members[i].given }) {
                members[i].given = given(male: members[i].male, birth: members[i].birth)
                tries += 1
            }
        }
        let householdID = newID()
        // Parents before their children: a store that checks references takes the rows in this order.
        let order = SeedBuilder.parentsFirst(members)
        for i in order { members[i].id = newID() }
        for i in members.indices {
            let a = SeedBuilder.age(members[i].birth, on: today)
            if members[i].death == nil, a >= 18, a <= 80, rng.chance(a >= 70 ? 55 : 90) {
                members[i].phone = mobile()
            }
            // A woman of 20–40, married and resident, whose youngest child is over a year old, may be expecting.
            let m = members[i]
            if !m.male, m.marital == "married", m.residence != "moved_out", (20...40).contains(a), rng.chance(5),
               !members.contains(where: { $0.mother == i && $0.birth > today - 365 }) {
                members[i].pregnantWeeks = rng.int(8...36)
            }
        }
        var phone = members[head].phone ?? members.first { $0.phone != nil }?.phone
        if rng.chance(6) {
            phone = "\(areaCode)-\(rng.int(2...8))\(String(rng.int(100_000...999_999)))"
        }
        var hh: [String: String] = ["id": householdID, "village": village, "address": address, "head": members[head].id]
        if let p = phone { hh["phone"] = p }
        township.households.append(hh)

        for m in order.map({ members[$0] }) {
            var row: [String: String] = [
                "id": m.id, "village": village, "household": householdID, "name": m.name,
                "sex": m.male ? "M" : "F", "birth_date": SeedBuilder.date(m.birth),
                "national_id": nationalID(region: m.region, birth: m.birth, male: m.male),
                "marital_status": m.marital, "residence": m.residence,
            ]
            if let p = m.phone { row["phone"] = p }
            if let out = m.moveOut { row["current_address"] = out.to }
            if let mi = m.mother { row["mother"] = members[mi].id }
            if let fi = m.father { row["father"] = members[fi].id }
            township.people.append(row)
            if let mi = m.mother { township.mothers[m.id] = members[mi].id }
        }

        for m in members { events(for: m, village: village, members: members) }
        for (i, m) in members.enumerated() { visits(for: m, index: i, village: village, members: members) }
        familyHealth(village: village, members: members, leader: leader)
        benefits(village: village, householdID: householdID, members: members)
    }

    /// Member indices with every listed mother and father before their children.
    static func parentsFirst(_ members: [SeedMember]) -> [Int] {
        var placed = [Bool](repeating: false, count: members.count)
        var out: [Int] = []
        while out.count < members.count {
            let before = out.count
            for i in members.indices where !placed[i] {
                let ready = [members[i].mother, members[i].father].allSatisfy { $0.map { placed[$0] } ?? true }
                if ready {
                    placed[i] = true
                    out.append(i)
                }
            }
            guard out.count > before else { preconditionFailure("seed families have no cycles") }
        }
        return out
    }

    mutating func event(_ village: String, _ person: String, _ kind: String, _ day: Int, _ detail: String) {
        township.events.append(["id": newID(), "village": village, "person": person, "kind": kind,
                                "date": SeedBuilder.date(day), "detail": detail])
    }

    mutating func events(for m: SeedMember, village: String, members: [SeedMember]) {
        if let mi = m.mother {
            event(village, m.id, "birth", m.birth, "出生，\(m.male ? "男" : "女")，母亲\(members[mi].name)")
        }
        if let d = m.marriage, let spouse = m.spouseName { event(village, m.id, "marriage", d, "与\(spouse)登记结婚") }
        if let mi = m.moveIn { event(village, m.id, "move_in", mi.day, "因婚从\(mi.from)迁入") }
        if let d = m.divorce { event(village, m.id, "divorce", d, rng.chance(80) ? "协议离婚" : "诉讼离婚") }
        // Clerks often type an ASCII comma; the CSV files then quote the field.
        if let mo = m.moveOut { event(village, m.id, "move_out", mo.day, "\(mo.reason)\(rng.chance(20) ? ", " : "，")迁往\(mo.to)") }
        if let d = m.death { event(village, m.id, "death", d, rng.pick(SeedNames.deathCauses)) }
    }

    mutating func visit(_ village: String, _ person: String, _ kind: String, _ day: Int, _ result: String) {
        township.visits.append(["id": newID(), "village": village, "person": person, "kind": kind,
                                "date": SeedBuilder.date(day), "result": result])
    }

    /// Typical weight (0.1 kg) and length (cm) of a boy at a check-up month.
    static let growth: [(month: Int, weight: Int, length: Int)] = [
        (1, 45, 54), (3, 64, 61), (6, 79, 67), (8, 86, 70), (12, 96, 75), (18, 109, 81),
        (24, 122, 87), (30, 132, 91), (36, 141, 95), (48, 161, 103), (60, 183, 110), (72, 206, 116),
    ]

    mutating func pressure() -> (Int, Int) { (rng.int(110...168), rng.int(68...100)) }

    mutating func visits(for m: SeedMember, index: Int, village: String, members: [SeedMember]) {
        guard m.death == nil, m.residence != "moved_out" else { return }
        let a = SeedBuilder.age(m.birth, on: today)
        if m.birth >= SeedBuilder.adding(years: -7, to: today) {
            for g in SeedBuilder.growth {
                let d = m.birth + g.month * 30 + rng.int(0...6)
                guard d <= today else { break }
                guard rng.chance(85) else { continue }
                let w = g.weight - (m.male ? 0 : 4) + rng.int(-6...6)
                let l = g.length - (m.male ? 0 : 1) + rng.int(-2...2)
                let note = rng.chance(90) ? "发育正常" : rng.pick(["轻度贫血，建议补铁", "建议加强营养", "已接种疫苗"])
                visit(village, m.id, "child_health", d, "体重\(w / 10).\(w % 10)kg，身长\(l)cm，\(note)")
            }
        }
        if !m.male {
            // Pregnancies that ended in a birth in the last three years, and a current one.
            for c in members where c.mother == index && c.birth > today - 3 * 365 {
                for week in [12, 16, 20, 24, 28, 32, 36] where rng.chance(80) {
                    let (s, d) = pressure()
                    visit(village, m.id, "prenatal", c.birth - (40 - week) * 7 + rng.int(-3...3),
                          "孕\(week)周，胎心\(rng.int(125...155))次/分，血压\(min(s, 135))/\(min(d, 88))，未见异常")
                }
                for after in [7, 28] where c.birth + after + 7 <= today {
                    visit(village, m.id, "postnatal", c.birth + after + rng.int(0...7),
                          rng.pick(["产后访视，恢复良好，母乳喂养", "产后访视，子宫复旧良好", "产后42天检查，未见异常"]))
                }
            }
            if m.pregnantWeeks > 0 {
                for week in [12, 16, 20, 24, 28, 32, 36] where week <= m.pregnantWeeks {
                    let (s, d) = pressure()
                    visit(village, m.id, "prenatal", today - (m.pregnantWeeks - week) * 7,
                          "孕\(week)周，胎心\(rng.int(125...155))次/分，血压\(min(s, 135))/\(min(d, 88))，未见异常")
                }
            }
        }
        if a >= 65 {
            let year = SeedBuilder.year(today)
            for y in (year - 2)...year {
                guard let start = CalendarDate(year: y, month: 3, day: 1)?.daysSinceEpoch else { continue }
                let d = start + rng.int(0...274)
                guard d <= today, rng.chance(85) else { continue }
                let (s, dia) = pressure()
                let g = rng.int(46...82)
                // A note on a second line (typed with Enter) when the pressure is high.
                let advice = s >= 160 ? "，血压偏高\n建议转诊至镇卫生院复查" : s >= 140 ? "，建议低盐饮食、按时服药" : "，未见明显异常"
                visit(village, m.id, "health_check", d, "老年人体检：血压\(s)/\(dia)，空腹血糖\(g / 10).\(g % 10)\(advice)")
            }
        }
        if (40...85).contains(a), rng.chance(12) {
            let diabetes = rng.chance(30)
            for q in 0..<4 {
                let d = today - 365 + q * 91 + rng.int(0...20)
                if diabetes {
                    let g = rng.int(58...98)
                    visit(village, m.id, "follow_up", d, "糖尿病随访：空腹血糖\(g / 10).\(g % 10)，\(g < 72 ? "控制满意" : "建议调整用药")")
                } else {
                    let (s, dia) = pressure()
                    visit(village, m.id, "follow_up", d, "高血压随访：血压\(s)/\(dia)，\(s < 140 ? "控制满意" : "规律服药，复查")")
                }
            }
        }
    }
}
