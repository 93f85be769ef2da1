import Foundation
import Testing
@testable import HamletCore

// Issue 16, item 4: names refuse invisible, control, bidi and separator characters; typed text is NFC and
// trimmed (no-break and ideographic spaces too); long free text keeps its line breaks.

private let schema = Schema.register
private let validator = Validator()

private func field(_ t: String, _ f: String) throws -> FieldSchema {
    try #require(schema.table(named: t)?.field(f))
}

/// The issue `check` throws for `text` in `t.f`, or nil when it is accepted.
private func issue(_ text: String, _ t: String = "people", _ f: String = "name") throws -> ValidationIssue? {
    let fs = try field(t, f)
    do {
        try validator.check(.text(text), field: fs, table: t)
        return nil
    } catch {
        return error
    }
}

@Suite("Text safety (issue 16, item 4)")
struct TextSafetyTests {
    static let refused: [(String, String)] = [
        ("李\u{200B}雷", "U+200B"), ("\u{200B}李雷", "U+200B"), ("李\u{200C}雷", "U+200C"), ("李\u{200D}雷", "U+200D"),
        ("李雷\u{202E}", "U+202E"), ("\u{202A}李雷", "U+202A"), ("李\u{2066}雷\u{2069}", "U+2066"), ("李\u{200E}雷", "U+200E"),
        ("李\u{200F}雷", "U+200F"), ("李\u{2028}雷", "U+2028"), ("李\u{2029}雷", "U+2029"), ("\u{FEFF}李雷", "U+FEFF"),
        ("李\u{AD}雷", "U+00AD"), ("李\u{85}雷", "U+0085"), ("李\u{9F}雷", "U+009F"), ("李\u{61C}雷", "U+061C"),
        ("李\n雷", "U+000A"),
    ]

    @Test("a name holding an invisible, control, bidi or separator character is refused, naming the code point, not the name",
          arguments: refused)
    func refusedInNames(_ text: String, _ codePoint: String) throws {
        let found = try #require(try issue(text), "\(codePoint) must be refused")
        #expect(found.code == .forbiddenCharacter)
        #expect(found.value == nil, "the value is personal data and invisible anyway")
        #expect(found.safeMessage.contains(codePoint) && !found.safeMessage.contains("李"))
        #expect(found.message(chinese: true).contains(codePoint) && found.message(chinese: true).hasPrefix("姓名"))
        #expect(found.message(chinese: false).contains(codePoint) && !found.message(chinese: false).contains("雷"))
        // Every one-line text field, and the hub's other types, refuse it too.
        #expect(try issue(text, "pregnancies", "responsible")?.code == .forbiddenCharacter)
        #expect(try issue(text, "people", "village")?.code == .forbiddenCharacter)
    }

    @Test("free text keeps line breaks but refuses every other control and format character")
    func freeText() throws {
        #expect(try issue("北赵村三组\n老屋二号院", "people", "current_address") == nil)
        #expect(try issue("已复查\n下次三月", "visits", "result") == nil)
        #expect(try issue("北赵村\u{200B}三组", "households", "address")?.code == .forbiddenCharacter)
        #expect(try issue("北赵村\u{2028}三组", "events", "detail")?.code == .forbiddenCharacter)
        #expect(try issue("北赵村\u{202E}三组", "events", "detail")?.code == .forbiddenCharacter)
        #expect(try issue("北赵村\r三组", "events", "detail")?.code == .invalidText, "a lone CR is a C0 control: the older code")
        let address = try field("households", "address")
        let name = try field("people", "name")
        #expect(TextSafety.keepsLineBreaks(address) && !TextSafety.keepsLineBreaks(name))
        #expect(try !TextSafety.keepsLineBreaks(field("benefits", "program")), "a short label with choices is one line")
        #expect(try !TextSafety.keepsLineBreaks(field("people", "phone")))
    }

    @Test("ordinary names pass: Chinese, rare characters, Latin with accents, a middle dot, emoji with a variation selector")
    func ordinary() throws {
        for name in ["李雷", "欧阳娜娜", "𠀀𡈽", "José Müller", "阿依古丽·买买提", "王☺\u{FE0F}", "Zhang San"] {
            #expect(try issue(name) == nil, "\(name)")
        }
    }

    @Test("entry trims every edge space (NBSP, ideographic space) and makes NFC; the hub refuses both as invalid-text")
    func entryNormalises() throws {
        let name = try field("people", "name")
        #expect(try validator.parse("李雷 ", for: name, table: "people") == .text("李雷"))
        #expect(try validator.parse("\u{A0}李雷\u{3000}", for: name, table: "people") == .text("李雷"))
        #expect(try validator.parse("\u{2003}李 雷\t", for: name, table: "people") == .text("李 雷"), "inner space kept")
        let decomposed = "Jose\u{301}"
        let parsed = try validator.parse(decomposed, for: name, table: "people")
        #expect(parsed.text.map { Array($0.unicodeScalars) } == Array("Jos\u{E9}".unicodeScalars))
        // Nothing invisible is trimmed away silently: the zero-width space is not a space.
        #expect(try validator.parse("李雷\u{200B}", for: name, table: "people") == .text("李雷\u{200B}"))
        #expect(try issue("李雷\u{A0}")?.code == .invalidText, "the hub does not rewrite what a node wrote")
        #expect(try issue(decomposed)?.code == .invalidText)
        #expect(try issue(decomposed)?.value == nil)
    }

    @Test("the merge rejects only the change with such a name, with the stable code on the wire")
    func hubRejection() throws {
        #expect(Rejection(try #require(try issue("李\u{200B}雷"))).code == "forbidden-character")
        #expect(ValidationIssue.Code(rawValue: "forbidden-character") == .forbiddenCharacter)
    }

    @Test("code points are written U+XXXX", arguments: [(0x200B, "U+200B"), (0xA, "U+000A"), (0x1F600, "U+1F600"), (0xAD, "U+00AD")])
    func codePoints(_ value: UInt32, _ text: String) throws {
        #expect(TextSafety.codePoint(try #require(Unicode.Scalar(value))) == text)
    }
}

@Suite("Plain text skips the character checks only when they would pass")
struct PlainTextTests {
    @Test("seeded: every plain string passes every check it skips; names, ids and dates are plain")
    func plainImpliesPasses() {
        let alphabet: [Unicode.Scalar] = ["a", "Z", "0", "-", " ", "\n", "\t", "\u{7F}", "\u{200B}", "\u{3000}", "\u{A0}", "李", "梅",
                                          "\u{3400}", "\u{9FFF}", "e", "\u{301}", "é", "\u{2028}", "🙂", "\u{FEFF}",
                                          "，", "：", "、", "（", "\u{302A}", "\u{3099}", "か", "\u{F900}", "\u{FF5F}"]
        var state: UInt64 = 20261130
        print("seed: \(state)")
        var plain = 0
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            var text = String.UnicodeScalarView()
            for i in 0..<Int(state % 6) { text.append(alphabet[Int((state >> UInt64(8 + i * 5)) % UInt64(alphabet.count))]) }
            let s = String(text)
            guard TextSafety.isPlain(s) else { continue }
            plain += 1
            #expect(TextSafety.forbiddenScalar(in: s, lineBreaks: false) == nil && TextSafety.isNFC(s), "\(s.unicodeScalars.map(\.value))")
            #expect(!s.isEmpty && s == s.trimmingSpaces())
        }
        #expect(plain > 100)
        for s in ["李梅", "370481199001011234", "2026-11-30", "北赵村 三组", "环位正常，未孕", "血压：130/80（正常）、复查"] {
            #expect(TextSafety.isPlain(s), "\(s)")
        }
        for s in ["", " 李梅", "李梅 ", "李\u{200B}梅", "李\n梅", "e\u{301}", "\u{3000}李"] { #expect(!TextSafety.isPlain(s), "\(s.unicodeScalars.map(\.value))") }
    }

    @Test("every quiet scalar is printable, no space, and NFC-stable by ICU's normalisation")
    func quietScalarsAreQuiet() {
        var quiet = 0
        for v in UInt32(0)...0x10FFFF where TextSafety.isQuiet(v) {
            guard let u = Unicode.Scalar(v) else { continue }
            quiet += 1
            let category = u.properties.generalCategory
            #expect(![.control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator].contains(category) || v == 0x20,
                    "U+\(String(v, radix: 16))")
            #expect(u.properties.canonicalCombiningClass == .notReordered, "U+\(String(v, radix: 16))")
            let one = String(Character(u))
            #expect(Array(one.precomposedStringWithCanonicalMapping.unicodeScalars) == [u], "U+\(String(v, radix: 16))")
            #expect(Array(one.decomposedStringWithCanonicalMapping.unicodeScalars) == [u], "U+\(String(v, radix: 16))")
            // Nothing composes with a following quiet scalar (a pair stays two scalars under NFC).
            let pair = one + "李"
            #expect(pair.precomposedStringWithCanonicalMapping.unicodeScalars.count == 2, "U+\(String(v, radix: 16))")
        }
        #expect(quiet == 95 + 0x9FFF - 0x3400 + 1 + 0x29 + 0x5E)
    }
}
