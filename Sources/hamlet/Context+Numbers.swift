import HamletCLI

extension Context {
    /// A whole-number option of at least 1, or `fallback` when it is not given.
    /// - Parameters:
    ///   - option: The option (its long name is quoted in the error).
    ///   - fallback: The value when the option is absent.
    /// - Returns: The number.
    /// - Throws: `CLIError` (`invalid-number`, exit 64) when the value is not a whole number of at least 1.
    func positiveInt(_ option: OptionSpec, default fallback: Int) throws -> Int {
        guard let text = value(option) else { return fallback }
        guard let n = Int(text), n >= 1 else {
            throw CLIError(code: "invalid-number", exit: .usage,
                           message: Localized(zh: "--\(option.long) 要填不小于 1 的整数：\(text)",
                                              en: "--\(option.long) takes a whole number of at least 1: \(text)"))
        }
        return n
    }
}
