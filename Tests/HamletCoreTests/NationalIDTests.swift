import Testing
@testable import HamletCore
import HamletTestSupport

/// GB 11643-1999 resident IDs: region, birth date, sequence, ISO 7064 MOD 11-2 check.
@Suite struct NationalIDTests {
    /// An independent derivation of the check character: (12 − Σ aᵢ·2^(18−i) mod 11) mod 11, 10 = X.
    static func expectedCheck(_ first17: String) -> Character {
        var sum = 0
        for (i, c) in first17.enumerated() {
            var w = 1
            for _ in 0..<(17 - i) { w = w * 2 % 11 }
            sum += c.wholeNumberValue! * w
        }
        let r = (12 - sum % 11) % 11
        return r == 10 ? "X" : Character(String(r))
    }

    // (id, birth date, sex) — each check digit recomputed independently in `knownValidIDs`.
    static let valid: [(String, String, String)] = [
        ("370481199003021224", "1990-03-02", "F"),
        ("11010519491231002X", "1949-12-31", "F"),
        ("440301198506150032", "1985-06-15", "M"),
        ("510104200002290046", "2000-02-29", "F"),
        ("65010218500101001X", "1850-01-01", "M"),
    ]

    @Test(arguments: valid)
    func knownValidIDs(id: String, birth: String, sex: String) throws {
        #expect(Self.expectedCheck(String(id.prefix(17))) == id.last, "test vector \(id) is itself valid")
        let parsed = try NationalID.parse(id).get()
        #expect(parsed.text == id)
        #expect(parsed.description == id)
        #expect(parsed.birthDate.description == birth)
        #expect(parsed.sex == sex)
    }

    @Test(arguments: [
        ("370481199003021225", NationalID.Problem.checkDigit),
        ("37048119900302122X", .checkDigit),
        ("110105194912310020", .checkDigit),
        ("370481199002301224", .birthDate),   // 1990-02-30
        ("370481199013021224", .birthDate),   // month 13
        ("370481199000021224", .birthDate),   // month 0
        ("370481199003001224", .birthDate),   // day 0
        ("370481190002291224", .birthDate),   // 1900-02-29: not a leap year
        ("370481184912311224", .birthDate),   // 1849: before the supported range
        ("37048119900302122", .length),
        ("3704811990030212244", .length),
        ("", .length),
        ("37048119900302122A", .characters),
        ("3704811990030212X4", .characters),
        ("37048119900302-224", .characters),
        ("３７０４８１１９９００３０２１２２４", .characters), // full-width digits
        ("990481199003021224", .region),
        ("000000199003021224", .region),
        ("100000199003021224", .region),
        ("380481199003021224", .region),
    ])
    func invalidIDs(id: String, problem: NationalID.Problem) {
        switch NationalID.parse(id) {
        case .success(let p): Issue.record("\(id) parsed as \(p)")
        case .failure(let box): #expect(box.problem == problem, "\(id)")
        }
    }

    @Test func lowercaseXAndSpacesAreNormalised() throws {
        let p = try NationalID.parse("11010519491231002x").get()
        #expect(p.text == "11010519491231002X")
        let q = try NationalID.parse("  370481199003021224\u{3000}").get()
        #expect(q.text == "370481199003021224")
    }

    @Test func sexComesFromThe17thDigit() throws {
        let birth = try #require(CalendarDate(year: 1990, month: 3, day: 2))
        for seq in 0..<1000 {
            let id = NationalID.make(region: 370481, birth: birth, sequence: seq)
            let parsed = try NationalID.parse(id).get()
            #expect(parsed.sex == (seq % 2 == 1 ? "M" : "F"), "\(id)")
            #expect(Array(id)[16].wholeNumberValue == seq % 10)
        }
    }

    @Test func birthDateComesFromDigits7To14() throws {
        let p = try NationalID.parse("440301198506150032").get()
        #expect(p.birthDate == CalendarDate(year: 1985, month: 6, day: 15))
        #expect(String(Array("440301198506150032")[6..<14]) == "19850615")
    }

    @Test func makeAlwaysParsesBack() throws {
        let seed: UInt64 = 0x1D_C0DE
        print("NationalIDTests.makeAlwaysParsesBack seed \(seed)")
        var rng = CoreTestRNG(seed: seed)
        let regions = [110105, 120101, 370481, 440301, 510104, 650102, 710000, 810000, 820000]
        for _ in 0..<2000 {
            let birth = CalendarDate(daysSinceEpoch: Int.random(in: -43829...84000, using: &rng))
            let seq = Int.random(in: 0...999, using: &rng)
            let region = regions.randomElement(using: &rng)!
            let id = NationalID.make(region: region, birth: birth, sequence: seq)
            #expect(id.count == 18)
            let parsed = try NationalID.parse(id).get()
            #expect(parsed.text == id)
            #expect(parsed.birthDate == birth)
            #expect(parsed.sex == (seq % 2 == 1 ? "M" : "F"))
            #expect(Self.expectedCheck(String(id.prefix(17))) == id.last)
        }
    }

    @Test func checkCharacterMatchesTheStandardFormula() {
        var rng = CoreTestRNG(seed: 42)
        var seen = Set<Character>()
        for _ in 0..<5000 {
            let digits = (0..<17).map { _ in Int.random(in: 0...9, using: &rng) }
            let c = NationalID.checkCharacter(for: digits)
            seen.insert(c)
            #expect(c == Self.expectedCheck(digits.map(String.init).joined()))
        }
        #expect(seen.count == 11, "every check character 0–9 and X occurs")
    }

    @Test func aWrongCheckDigitIsAlwaysCaught() throws {
        let id = "370481199003021224"
        for c in "0123456789X" where c != "4" {
            let bad = String(id.prefix(17)) + String(c)
            #expect((try? NationalID.parse(bad).get()) == nil, "\(bad)")
        }
        // A single changed digit anywhere in the first 17 is caught (MOD 11-2 detects all single errors).
        for i in 0..<17 {
            var chars = Array(id)
            chars[i] = chars[i] == "5" ? "6" : "5"
            let bad = String(chars)
            if case .success = NationalID.parse(bad) { Issue.record("\(bad) accepted") }
        }
    }
}
