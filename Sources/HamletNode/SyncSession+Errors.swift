import HamletProtocol
import HamletStore

/// How a session's failures become `SyncError`s: the hub's refusals and the replica's errors.
extension SyncSession {
    /// The error a failure the session machine reported becomes.
    static func error(_ failure: NodeSessionMachine.Failure) -> SyncError {
        switch failure {
        case .hub(let code, let message, let retryAfter):
            return SyncError.fromHub(code.rawValue, message, retryAfter: retryAfter)
        case .unexpected(let message):
            return SyncError(.protocol, message)
        case .wrongVillage:
            return SyncError(.refused, "the hub registered this node for another village than the replica's; re-create the replica with the right --village",
                             zh: "镇中心登记的这个节点属于另一个村：请用正确的 --village 重新建立本地数据")
        case .misuse(let message):
            return SyncError(.protocol, "this client broke the protocol: \(message)")
        }
    }

    /// Runs replica work, turning a store error into a `SyncError`: busy (75), not configured (64), or store (74).
    /// - Parameters:
    ///   - doing: What the work is, for the message ("storing snapshot rows").
    ///   - body: The work.
    /// - Returns: What `body` returns.
    /// - Throws: `SyncError`.
    static func store<T>(_ doing: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as SyncError {
            throw e
        } catch let e as StoreError where e.code == .busy {
            // Another hamlet (a sync, a resync) has the replica: busy is a temporary failure, like the CLI's.
            throw SyncError(.busy, "the local replica is busy while \(doing) (another hamlet command is using it); retry when it has finished",
                            zh: "本地数据文件正被另一个 hamlet 命令使用（例如正在同步），请等它结束后再试")
        } catch let e as StoreError where e.code == .notFound {
            throw SyncError(.notConfigured, "\(e.message); create the replica with hamlet init first",
                            zh: "这里没有村节点的数据文件：请先运行 hamlet init，或用 --dir 指定目录")
        } catch {
            throw SyncError(.store, "the local replica failed while \(doing): \(error)")
        }
    }
}
