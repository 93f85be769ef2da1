/// A piece of user-facing text in both languages Hamlet speaks.
///
/// Every message, help line and hint the CLI shows is written twice, once in
/// the clerk's Chinese and once in English, and picked at the last moment:
///
/// ```swift
/// let saved = Localized(zh: "已保存", en: "Saved")
/// print(saved(.zh)) // 已保存
/// ```
public struct Localized: Sendable, Hashable {
    /// The Chinese (simplified) text.
    public var zh: String
    /// The English text.
    public var en: String

    /// Creates a text from its Chinese and English versions.
    ///
    /// - Parameters:
    ///   - zh: The Chinese (simplified) text.
    ///   - en: The English text.
    public init(zh: String, en: String) {
        self.zh = zh
        self.en = en
    }

    /// Creates a text that reads the same in both languages, such as a
    /// command name, a number or the clerk's own input.
    ///
    /// - Parameter text: The text used for every language.
    public init(verbatim text: String) {
        self.zh = text
        self.en = text
    }

    /// Returns the text in the given language.
    ///
    /// - Parameter language: The language to show.
    /// - Returns: ``zh`` or ``en``.
    public func callAsFunction(_ language: Language) -> String {
        switch language {
        case .zh: zh
        case .en: en
        }
    }
}

/// A language the CLI can speak.
public enum Language: String, Sendable, Hashable, CaseIterable {
    /// Simplified Chinese, the clerks' language.
    case zh
    /// English.
    case en

    /// Reads a language the user typed, as given to `--lang` or written in the
    /// configuration file.
    ///
    /// Accepted, ignoring case and surrounding spaces: `zh`, `zh-CN`, `zh_CN`
    /// (any `zh-…`/`zh_…` form), `cn`, `chinese`, `中文`, `汉语`, `简体中文`; `en`,
    /// `en-US`, `en_GB` (any `en-…`/`en_…` form), `english`, `英文`, `英语`.
    ///
    /// - Parameter value: The text to read.
    /// - Returns: The language, or `nil` when `value` names neither.
    public init?(userValue value: String) {
        let text = Language.trimmed(value).lowercased()
        switch text {
        case "zh", "cn", "chinese", "中文", "汉语", "简体中文", "zh-hans":
            self = .zh
        case "en", "english", "英文", "英语":
            self = .en
        default:
            if text.hasPrefix("zh-") || text.hasPrefix("zh_") {
                self = .zh
            } else if text.hasPrefix("en-") || text.hasPrefix("en_") {
                self = .en
            } else {
                return nil
            }
        }
    }

    /// Chooses the language to speak.
    ///
    /// The first source that gives an answer wins:
    /// 1. `flag`, the value of `--lang`, read with ``init(userValue:)``;
    /// 2. `config`, the language in the configuration file, read the same way;
    /// 3. the locale environment, the way GNU gettext reads it: `LANGUAGE`
    ///    (its first non-empty entry in the colon-separated list) unless the
    ///    effective locale is `C` or `POSIX` (including `C.UTF-8`), then the
    ///    first of `LC_ALL`, `LC_MESSAGES` and `LANG` that is set and not empty.
    ///    A chosen value that starts with `zh` (`zh_CN.UTF-8`, `zh_TW`, `zh`)
    ///    means Chinese; anything else means English.
    ///
    /// A flag or configuration value that names no language is skipped, not an
    /// error here: the caller that wants to reject it checks
    /// ``init(userValue:)`` itself. With nothing set at all, the answer is
    /// English, as gettext's untranslated `C` locale would be.
    ///
    /// - Parameters:
    ///   - flag: The value of `--lang`, if given.
    ///   - config: The language from the configuration file, if any.
    ///   - environment: The process environment.
    /// - Returns: The language to speak.
    public static func detect(
        flag: String?,
        config: String?,
        environment: [String: String]
    ) -> Language {
        if let flag, let language = Language(userValue: flag) {
            return language
        }
        if let config, let language = Language(userValue: config) {
            return language
        }
        guard let locale = localeValue(environment: environment) else {
            return .en
        }
        return locale.lowercased().hasPrefix("zh") ? .zh : .en
    }

    /// The locale value gettext would use for messages, or `nil` if none.
    static func localeValue(environment: [String: String]) -> String? {
        let effective = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .lazy
            .compactMap { environment[$0] }
            .first { !$0.isEmpty }
        let isCLocale = effective.map(isC) ?? true
        if !isCLocale, let list = environment["LANGUAGE"] {
            let first = list.split(separator: ":").first { !$0.isEmpty }
            if let first {
                return String(first)
            }
        }
        return effective
    }

    /// Whether a locale name is the untranslated C/POSIX locale.
    private static func isC(_ locale: String) -> Bool {
        locale == "C" || locale == "POSIX" || locale.hasPrefix("C.") || locale.hasPrefix("C@")
    }

    private static func trimmed(_ text: String) -> Substring {
        var slice = Substring(text)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return slice
    }
}
