import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Keeps a resync's swap and a clerk's write apart (found by the torture test).
///
/// `ReplicaRebuild.finish` copies the old file's last changes into the rebuilt replica and renames it over
/// `replica.sqlite`. A write another process committed to the old file after that copy and before the rename
/// would vanish with it, its `exit 0` a lie. So every write transaction on a replica takes this lock shared
/// (`flock` on `replica.lock` beside the store) and, holding it, checks that `replica.sqlite` is still the
/// file it opened; the swap takes it exclusively from before the last copy until after the rename. A write that
/// waited for the swap finds a new file under the name and is refused before writing anything
/// (`StoreError.busy`, exit 75: run the command again).
struct ReplicaFileLock {
    /// `replica.lock` in the replica's folder.
    let path: String
    /// The replica file the connection opened.
    let storePath: String
    /// Its inode when opened.
    let inode: UInt64

    /// How long a writer or the swap waits for the other before giving up as busy.
    static let waitMillis = 30_000

    init(directory: String) throws {
        path = (directory as NSString).appendingPathComponent("replica.lock")
        storePath = Replica.path(in: directory)
        var st = stat()
        guard stat(storePath, &st) == 0 else { throw StoreError(.io, "cannot stat the replica (errno \(errno))") }
        inode = UInt64(st.st_ino)
    }

    /// Takes the lock shared for one write transaction and checks the store is the file opened.
    /// - Returns: the release, to call once the transaction has ended.
    /// - Throws: `StoreError.busy` when a resync is swapping the file for longer than `waitMillis`, or swapped it.
    func shared() throws -> () -> Void {
        let fd = try Self.take(path, LOCK_SH)
        var st = stat()
        guard stat(storePath, &st) == 0, UInt64(st.st_ino) == inode else {
            close(fd)
            throw StoreError(.busy, "a resync replaced the replica while this command ran; nothing was written, run it again")
        }
        return { close(fd) }
    }

    /// Takes the lock exclusively for a swap of the replica in `directory`.
    /// - Returns: the release, to call after the rename.
    /// - Throws: `StoreError.busy` when writers hold it for longer than `waitMillis`.
    static func exclusive(directory: String) throws -> () -> Void {
        let fd = try take((directory as NSString).appendingPathComponent("replica.lock"), LOCK_EX)
        return { close(fd) }
    }

    /// Opens (creating it `0600`) and locks the lock file, polling so that a stuck holder cannot hang the caller.
    private static func take(_ path: String, _ mode: Int32) throws -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError(.io, "cannot open the replica's lock file (errno \(errno))") }
        var waited = 0
        while flock(fd, mode | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, waited < waitMillis else {
                close(fd)
                throw StoreError(.busy, "another program is rebuilding or writing the replica; try again")
            }
            usleep(5_000)
            waited += 5
        }
        return fd
    }
}
