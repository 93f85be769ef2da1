/// The process exit statuses `hamlet` uses, from BSD `sysexits.h`.
///
/// The CLI module never exits; the executable passes `rawValue` to `exit()`.
public enum ExitCode: Int32, Sendable, Hashable, CaseIterable {
    /// Success; also after printing help that was asked for.
    case ok = 0
    /// A bug or an unexpected failure inside `hamlet`.
    case internalError = 1
    /// The command line was wrong (`EX_USAGE`): unknown option, missing argument….
    case usage = 64
    /// The input data was wrong (`EX_DATAERR`): an invalid national ID, a bad date, a malformed CSV.
    case invalidData = 65
    /// A named thing does not exist (`EX_NOINPUT`): no such person, file or conflict.
    case notFound = 66
    /// The local database or a file could not be read or written (`EX_IOERR`).
    case storage = 74
    /// A temporary failure (`EX_TEMPFAIL`), such as the hub being unreachable: retry later.
    case temporaryFailure = 75
    /// The hub refused the request (`EX_NOPERM`): wrong key, village not enrolled, permission denied.
    case refused = 77
}

/// A failure to report to the clerk, with a stable code and an exit status.
///
/// ```text
/// error[invalid-national-id]: 身份证号校验位不正确，请核对第18位
/// 提示：身份证号的第18位是校验位，可能是数字或 X。
/// ```
///
/// The message may echo the clerk's own input back ("出生日期 1990-02-30
/// 不是有效日期"); such a message belongs on the terminal only, never in logs
/// or on the wire.
public struct CLIError: Error, Sendable, Hashable {
    /// A stable kebab-case code such as `invalid-national-id`, shown in
    /// brackets so clerks can quote it and scripts can match it. Add new
    /// codes; never rename one.
    public var code: String
    /// The exit status to end with.
    public var exit: ExitCode
    /// What went wrong, in plain words.
    public var message: Localized
    /// What to do about it, if there is something to say.
    public var hint: Localized?

    /// Creates an error report.
    ///
    /// - Parameters:
    ///   - code: A stable kebab-case code.
    ///   - exit: The exit status to end with.
    ///   - message: What went wrong.
    ///   - hint: What to do about it, if anything.
    public init(code: String, exit: ExitCode, message: Localized, hint: Localized? = nil) {
        self.code = code
        self.exit = exit
        self.message = message
        self.hint = hint
    }

    /// Renders the error for stderr.
    ///
    /// The first line is `error[<code>]: <message>` in either language (the
    /// prefix stays English so it can be searched for); the hint, if any,
    /// follows on its own line as `hint: …` or `提示：…`.
    ///
    /// - Parameter language: The language to use.
    /// - Returns: The text, ending with a newline.
    public func render(_ language: Language) -> String {
        var text = "error[\(code)]: \(message(language))\n"
        if let hint {
            switch language {
            case .zh: text += "提示：\(hint(.zh))\n"
            case .en: text += "hint: \(hint(.en))\n"
            }
        }
        return text
    }
}
