import HamletCLI
import Testing

@Suite struct TextWidthTests {
    @Test(arguments: [
        ("张丽", 4),
        ("abc", 3),
        ("Zh\u{0101}ng", 5), // precomposed ā
        ("Zha\u{0304}ng", 5), // a + combining macron
        ("北赵村三组12号", 14),
        ("ＡＢ", 4), // fullwidth forms
        ("😀", 2),
        ("👨‍👩‍👧", 2), // ZWJ family: one cluster
        ("👍🏽", 2), // skin tone modifier
        ("🇨🇳", 2), // flag
        ("❤️", 2), // text-default emoji + VS16
        ("❤", 1), // text presentation
        ("1️⃣", 2), // keycap
        ("，。、", 6), // CJK punctuation
        ("「」", 4),
        ("ひらがなカタカナ", 16),
        ("한국", 4),
        ("\u{3400}", 2), // CJK Ext A
        ("\u{20000}", 2), // CJK Ext B
        ("\u{F900}", 2), // CJK compatibility ideograph
        ("\u{FFE5}", 2), // fullwidth yen
        ("e\u{0301}", 1),
        ("\u{200D}", 0),
        ("\u{FE0F}", 0),
        ("\u{0301}", 0),
        ("a\u{200B}b", 2),
        ("a\tb\n", 2), // controls count 0
        ("…", 1),
        ("", 0),
    ])
    func cells(_ text: String, _ expected: Int) {
        #expect(TextWidth.cells(text) == expected)
    }

    static let samples = [
        "张丽", "北赵村三组12号", "Zha\u{0304}ng Li\u{0300}", "👨‍👩‍👧👍🏽🇨🇳abc", "ＡＢＣabc", "a张b丽c", "e\u{0301}e\u{0301}e\u{0301}e\u{0301}",
        "身份证号校验位不正确，请核对第18位",
    ]

    @Test(arguments: samples)
    func truncateNeverExceedsAndKeepsGraphemes(_ text: String) {
        for limit in 0...(TextWidth.cells(text) + 2) {
            let cut = TextWidth.truncate(text, toCells: limit)
            #expect(TextWidth.cells(cut) <= limit, "\(cut) over \(limit)")
            if TextWidth.cells(text) <= limit {
                #expect(cut == text)
            } else if limit > 0 {
                #expect(cut.last == "…")
                // Every kept cluster is a whole cluster of the original, in order.
                let kept = Array(cut.dropLast())
                #expect(Array(text.prefix(kept.count)) == kept)
                // Nothing more would have fit.
                let next = text[text.index(text.startIndex, offsetBy: kept.count)]
                #expect(TextWidth.cells(String(kept)) + TextWidth.cells(of: next) > limit - 1)
            } else {
                #expect(cut == "")
            }
        }
    }

    @Test func truncateExamples() {
        #expect(TextWidth.truncate("北赵村三组12号", toCells: 8) == "北赵村…")
        #expect(TextWidth.truncate("北赵村三组12号", toCells: 7) == "北赵村…")
        #expect(TextWidth.truncate("北赵村三组12号", toCells: 14) == "北赵村三组12号")
        #expect(TextWidth.truncate("abc", toCells: 1) == "…")
    }

    @Test func pad() {
        #expect(TextWidth.pad("张丽", toCells: 6) == "张丽  ")
        #expect(TextWidth.pad("张丽", toCells: 6, alignment: .right) == "  张丽")
        #expect(TextWidth.pad("张丽", toCells: 3) == "张丽")
        #expect(TextWidth.cells(TextWidth.pad("Zha\u{0304}ng", toCells: 8)) == 8)
    }

    @Test func sanitize() {
        #expect(TextWidth.sanitize("a\nb\tc\r\nd\u{7}e") == "a b c de")
    }

    @Test func columnsFromEnvironment() {
        #expect(TextWidth.columns(environment: ["COLUMNS": "120"]) == 120)
        #expect(TextWidth.columns(environment: ["COLUMNS": "x"]) == 80)
        #expect(TextWidth.columns(environment: [:], fallback: 100) == 100)
    }
}
