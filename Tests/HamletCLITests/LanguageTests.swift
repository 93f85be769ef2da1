import HamletCLI
import Testing

@Suite struct LanguageTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var flag: String?
        var config: String?
        var environment: [String: String]
        var expected: Language
        var testDescription: String { "flag=\(flag ?? "-") config=\(config ?? "-") env=\(environment) → \(expected)" }
    }

    static let cases: [Case] = [
        Case(environment: [:], expected: .en),
        Case(environment: ["LANG": "zh_CN.UTF-8"], expected: .zh),
        Case(environment: ["LANG": "zh_TW.Big5"], expected: .zh),
        Case(environment: ["LANG": "zh"], expected: .zh),
        Case(environment: ["LANG": "en_US.UTF-8"], expected: .en),
        Case(environment: ["LANG": "de_DE.UTF-8"], expected: .en),
        Case(environment: ["LANG": ""], expected: .en),
        // LC_ALL beats LC_MESSAGES beats LANG.
        Case(environment: ["LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"], expected: .zh),
        Case(environment: ["LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"], expected: .en),
        Case(environment: ["LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"], expected: .zh),
        Case(environment: ["LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_CN.UTF-8"], expected: .zh),
        // LANGUAGE wins over the locale, first entry of its list…
        Case(environment: ["LANGUAGE": "zh_CN:en", "LANG": "en_US.UTF-8"], expected: .zh),
        Case(environment: ["LANGUAGE": "en:zh_CN", "LANG": "zh_CN.UTF-8"], expected: .en),
        Case(environment: ["LANGUAGE": ":zh_CN", "LANG": "en_US.UTF-8"], expected: .zh),
        Case(environment: ["LANGUAGE": "", "LANG": "zh_CN.UTF-8"], expected: .zh),
        // …unless the locale is C/POSIX or unset.
        Case(environment: ["LANGUAGE": "zh_CN", "LANG": "C"], expected: .en),
        Case(environment: ["LANGUAGE": "zh_CN", "LC_ALL": "POSIX"], expected: .en),
        Case(environment: ["LANGUAGE": "zh_CN", "LANG": "C.UTF-8"], expected: .en),
        Case(environment: ["LANGUAGE": "zh_CN"], expected: .en),
        Case(environment: ["LANGUAGE": "zh_CN", "LC_ALL": "C", "LANG": "en_US.UTF-8"], expected: .en),
        // Config beats the environment; the flag beats both.
        Case(config: "zh", environment: ["LANG": "en_US.UTF-8"], expected: .zh),
        Case(config: "english", environment: ["LANG": "zh_CN.UTF-8"], expected: .en),
        Case(flag: "en", config: "zh", environment: ["LANG": "zh_CN.UTF-8"], expected: .en),
        Case(flag: "zh-CN", config: "en", environment: [:], expected: .zh),
        Case(flag: "中文", environment: [:], expected: .zh),
        Case(flag: "Chinese", environment: [:], expected: .zh),
        // A value naming no language falls through to the next source.
        Case(flag: "klingon", config: "zh", environment: [:], expected: .zh),
        Case(flag: "", config: nil, environment: ["LANG": "zh_CN.UTF-8"], expected: .zh),
    ]

    @Test(arguments: cases)
    func detect(_ testCase: Case) {
        let language = Language.detect(flag: testCase.flag, config: testCase.config, environment: testCase.environment)
        #expect(language == testCase.expected)
    }

    @Test(arguments: [
        ("zh", Language.zh), ("en", .en), ("zh-CN", .zh), ("zh_cn", .zh), ("ZH", .zh), ("chinese", .zh),
        ("english", .en), ("中文", .zh), (" en ", .en), ("en-US", .en),
    ])
    func userValues(_ text: String, _ expected: Language) {
        #expect(Language(userValue: text) == expected)
    }

    @Test(arguments: ["", "fr", "zhx", "german"])
    func rejectedUserValues(_ text: String) {
        #expect(Language(userValue: text) == nil)
    }

    @Test func localizedPicksLanguage() {
        let text = Localized(zh: "已保存", en: "Saved")
        #expect(text(.zh) == "已保存")
        #expect(text(.en) == "Saved")
        #expect(Localized(verbatim: "x")(.zh) == "x")
    }
}
