import HamletCLI
import HamletCore
import HamletNode
import HamletStore

/// Maps every library error to a CLI error with a stable code and a sysexits exit code.
enum ErrorMapping {
    static func cliError(_ error: any Error, chinese: Bool) -> CLIError {
        switch error {
        case let e as CLIError:
            return e
        case let e as ValidationIssue:
            return invalid([e], chinese: chinese)
        case let e as ReplicaError:
            switch e.code {
            case .invalid: return invalid(e.issues, chinese: chinese)
            case .notFound: return CLIError(code: "not-found", exit: .notFound, message: Localized(zh: "找不到记录：\(e.message)", en: e.message))
            case .referenced:
                return CLIError(code: "referenced", exit: .invalidData, message: Localized(zh: "仍有记录引用它，请先修改或删除那些记录（\(e.message)）", en: e.message))
            case .outOfScope: return CLIError(code: "out-of-scope", exit: .invalidData, message: Localized(zh: "本节点只能录入本村的记录（\(e.message)）", en: e.message))
            case .noChange: return CLIError(code: "no-change", exit: .invalidData, message: Localized(zh: "没有需要修改的内容：值与现有的相同", en: e.message))
            case .unknownTable: return CLIError(code: "unknown-table", exit: .usage, message: Localized(zh: "没有这个表：\(e.message)", en: e.message))
            case .unknownField: return CLIError(code: "unknown-field", exit: .usage, message: Localized(zh: "没有这个字段：\(e.message)", en: e.message))
            case .exists: return CLIError(code: "exists", exit: .invalidData, message: Localized(zh: "编号已存在：\(e.message)", en: e.message))
            case .duplicate:
                let refusal = NationalIDHolder.refusal(nationalID: "", holders: e.holders)
                return CLIError(code: e.code.rawValue, exit: .invalidData, message: Localized(zh: refusal.zh, en: refusal.en),
                                hint: Localized(zh: "没有做任何修改", en: "nothing was changed"))
            }
        case let e as StoreError:
            switch e.code {
            case .notFound:
                return CLIError(code: "no-store", exit: .notFound, message: Localized(zh: "这里没有数据文件：\(e.message)", en: e.message),
                                hint: Localized(zh: "先运行 hamlet init（村节点）或 hamlet hub init（镇中心），或用 --dir 指定目录", en: "run hamlet init (village node) or hamlet hub init (hub) first, or point --dir at the folder"))
            case .exists:
                return CLIError(code: "exists", exit: .invalidData, message: Localized(zh: "已经存在：\(e.message)", en: e.message))
            case .busy:
                return CLIError(code: "busy", exit: .temporaryFailure, message: Localized(zh: "数据库正忙，请稍后重试", en: "the database is busy; try again"))
            default:
                return CLIError(code: "storage", exit: .storage, message: Localized(zh: "存储出错：\(e.description)", en: e.description))
            }
        case let e as OperatorError:
            let exit: ExitCode = e.code == .notFound ? .notFound : .invalidData
            if e.code == .invalid, !e.issues.isEmpty { return invalid(e.issues, chinese: chinese) }
            return CLIError(code: e.code.rawValue, exit: exit, message: Localized(zh: operatorZH(e), en: e.message))
        case let e as SyncError:
            let exit: ExitCode
            switch e.code {
            case .unreachable: exit = .temporaryFailure
            case .refused: exit = .refused
            case .store: exit = .storage
            case .notConfigured: exit = .usage
            default: exit = .internalError
            }
            let zh: String
            switch e.code {
            case .unreachable: zh = "连不上镇中心，请稍后再同步（\(e.message)）"
            case .refused: zh = "镇中心拒绝了本节点（\(e.message)）"
            case .notConfigured: zh = "本节点还没有配置镇中心地址或密钥文件（\(e.message)）"
            default: zh = e.message
            }
            return CLIError(code: e.hubCode ?? e.code.rawValue, exit: exit, message: Localized(zh: zh, en: e.message))
        default:
            return CLIError(code: "internal", exit: .internalError, message: Localized(zh: "内部错误：\(error)", en: "internal error: \(error)"))
        }
    }

    static func operatorZH(_ e: OperatorError) -> String {
        switch e.code {
        case .alreadyResolved: return "已经处理过了：\(e.message)"
        case .stale: return "字段在显示之后又被修改了，请重新查看（\(e.message)）"
        case .notFound: return "找不到：\(e.message)"
        case .wrongKind: return "冲突类型不符：\(e.message)"
        case .referenced: return "仍有记录引用它：\(e.message)"
        case .notMerged: return "这个冲突没有合并过：\(e.message)"
        case .invalid: return "数据无效：\(e.message)"
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
