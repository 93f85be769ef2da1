import HamletCLI
import HamletCore
import HamletNode
import HamletStore

/// Maps every library error to a CLI error with a stable code and a sysexits exit code.
enum ErrorMapping {
    /// - Parameters:
    ///   - error: What a command threw.
    ///   - chinese: The interface language.
    ///   - directory: The data folder the command used, named in Chinese messages about it.
    static func cliError(_ error: any Error, chinese: Bool, directory: String = "") -> CLIError {
        switch error {
        case let e as CLIError:
            return e
        case let e as ValidationIssue:
            return invalid([e], chinese: chinese)
        case let e as ReplicaError:
            switch e.code {
            case .invalid: return invalid(e.issues, chinese: chinese)
            case .notFound: return CLIError(code: "not-found", exit: .notFound, message: Localized(zh: e.messageZH ?? "找不到这条记录", en: e.message))
            case .referenced:
                return CLIError(code: "referenced", exit: .invalidData,
                                message: Localized(zh: e.messageZH ?? "仍有记录引用它，请先修改或删除那些记录", en: e.message))
            case .outOfScope: return CLIError(code: "out-of-scope", exit: .invalidData, message: Localized(zh: e.messageZH ?? "本节点只能录入本村的记录", en: e.message))
            case .noChange: return CLIError(code: "no-change", exit: .invalidData, message: Localized(zh: "没有需要修改的内容：值与现有的相同", en: e.message))
            case .unknownTable: return CLIError(code: "unknown-table", exit: .usage, message: Localized(zh: e.messageZH ?? "没有这个表", en: e.message))
            case .unknownField: return CLIError(code: "unknown-field", exit: .usage, message: Localized(zh: e.messageZH ?? "没有这个字段", en: e.message))
            case .exists: return CLIError(code: "exists", exit: .invalidData, message: Localized(zh: e.messageZH ?? "编号已存在", en: e.message))
            case .duplicate:
                let refusal = NationalIDHolder.refusal(nationalID: "", holders: e.holders)
                return CLIError(code: e.code.rawValue, exit: .invalidData, message: Localized(zh: refusal.zh, en: refusal.en),
                                hint: Localized(zh: "没有做任何修改", en: "nothing was changed"))
            case .checkRefused:
                // Each broken rule's own sentence, with its id to look up in the README (逻辑核查).
                let zh = e.findings.map { "\($0.message.zh) [\($0.rule)]" }.joined(separator: "\n  ")
                let en = e.findings.map { "\($0.message.en) [\($0.rule)]" }.joined(separator: "\n  ")
                return CLIError(code: e.code.rawValue, exit: .invalidData, message: Localized(zh: zh, en: en),
                                hint: Localized(zh: "没有做任何修改；请核对后重新录入", en: "nothing was changed; check the facts and enter them again"))
            }
        case let e as StoreError:
            switch e.code {
            case .notFound:
                return CLIError(code: "no-store", exit: .notFound, message: Localized(zh: "这里没有数据文件：\(directory)", en: e.message),
                                hint: Localized(zh: "先运行 hamlet init（村节点）或 hamlet hub init（镇中心），或用 --dir 指定目录", en: "run hamlet init (village node) or hamlet hub init (hub) first, or point --dir at the folder"))
            case .exists:
                return CLIError(code: "exists", exit: .invalidData, message: Localized(zh: "这个目录里已经有数据文件了：\(directory)", en: e.message),
                                hint: Localized(zh: "换一个空目录，或用 --dir 指定", en: "choose an empty folder with --dir"))
            case .busy:
                return CLIError(code: "busy", exit: .temporaryFailure, message: Localized(zh: "数据库正忙，请稍后重试", en: "the database is busy; try again"))
            default:
                return CLIError(code: "storage", exit: .storage,
                                message: Localized(zh: "读写数据文件出错，请检查磁盘空间和文件权限（用 --lang en 运行可看到详细原因）", en: e.description))
            }
        case let e as OperatorError:
            let exit: ExitCode = e.code == .notFound ? .notFound : .invalidData
            if e.code == .invalid, !e.issues.isEmpty { return invalid(e.issues, chinese: chinese) }
            return CLIError(code: e.code.rawValue, exit: exit, message: Localized(zh: e.messageZH ?? operatorZH(e), en: e.message))
        case let e as SyncError:
            let exit: ExitCode
            switch e.code {
            case .unreachable, .busy: exit = .temporaryFailure
            case .refused: exit = .refused
            case .store: exit = .storage
            case .notConfigured: exit = .usage
            default: exit = .internalError
            }
            return CLIError(code: e.hubCode ?? e.code.rawValue, exit: exit, message: Localized(zh: e.message(chinese: true), en: e.message))
        default:
            return CLIError(code: "internal", exit: .internalError, message: Localized(zh: "内部错误：\(error)", en: "internal error: \(error)"))
        }
    }

    /// An operator refusal raised without a Chinese message of its own.
    static func operatorZH(_ e: OperatorError) -> String {
        switch e.code {
        case .alreadyResolved: return "已经处理过了"
        case .stale: return "在显示之后又被修改了，请重新查看" + (e.currentVersion.map { "（现在是版本 \($0)）" } ?? "")
        case .notFound: return "找不到要处理的冲突或记录"
        case .wrongKind: return "冲突类型不符，不能这样处理"
        case .referenced: return "仍有记录引用它，请先改指或删除那些记录"
        case .notMerged: return "这个冲突没有合并过，无需撤销"
        case .invalid: return "数据无效"
        }
    }

    static func invalid(_ issues: [ValidationIssue], chinese: Bool) -> CLIError {
        let code = issues.first?.code.rawValue ?? "invalid"
        let zh = issues.map { $0.message(chinese: true) }.joined(separator: "\n  ")
        let en = issues.map { $0.message(chinese: false) }.joined(separator: "\n  ")
        return CLIError(code: code, exit: .invalidData, message: Localized(zh: zh, en: en),
                        hint: Localized(zh: "没有做任何修改", en: "nothing was changed"))
    }
}
