import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Keeps the files that hold the register private to the account that runs Hamlet (issue 16, item 1).
///
/// Stores hold every name, 身份证号 and phone, and the hub's store also holds the nodes' stored keys, so
/// they are created `0600` and their folders `0700` with explicit modes, whatever the umask. SQLite gives a
/// database's `-wal` and `-shm` files the mode of the database itself (`robust_open` in its unix VFS
/// copies it and `fchmod`s past the umask), so a `0600` database has `0600` companions.
///
/// A store made by an older Hamlet (`0644` under the default umask) is tightened when it is opened:
/// ``tighten(store:)`` sets the database, `-wal` and `-shm` to `0600` and its folder to `0700`, and says
/// what it changed so the command line can tell the user once. A folder is left alone when it is not
/// the user's own, is `/`, or has the sticky bit (`/tmp`): those are shared by design.
public enum PrivateFiles {
    /// The mode of every file that holds register data.
    public static let fileMode: mode_t = 0o600
    /// The mode of every folder Hamlet creates for register data.
    public static let folderMode: mode_t = 0o700

    /// Creates `path` and any missing parent folders, each `0700` whatever the umask. Folders that
    /// already exist keep their mode.
    /// - Parameter path: the folder.
    /// - Throws: `StoreError.io` when a folder cannot be made (errno in the message).
    public static func makeFolder(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
            if mkdir(prefix, folderMode) == 0 {
                guard chmod(prefix, folderMode) == 0 else { throw io("cannot set the mode of folder \(prefix)") }
                continue
            }
            let err = errno
            var s = stat()
            guard err == EEXIST, stat(prefix, &s) == 0, (s.st_mode & S_IFMT) == S_IFDIR else {
                throw io("cannot create folder \(prefix)", errno: err)
            }
        }
    }

    /// Creates an empty file `0600` whatever the umask (SQLite reads an empty file as an empty database).
    /// Does nothing when the file exists.
    /// - Parameter path: the file.
    /// - Throws: `StoreError.io` when it cannot be created.
    public static func createFile(_ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        let err = errno
        if fd < 0 {
            if err == EEXIST { return }
            throw io("cannot create \(path)", errno: err)
        }
        defer { close(fd) }
        guard fchmod(fd, fileMode) == 0 else { throw io("cannot set the mode of \(path)", errno: errno) }
    }

    /// Whether a mode lets anyone but the owner in (any group or other bit).
    /// - Parameter mode: a `st_mode`.
    /// - Returns: true when group or others have any permission.
    public static func isOpenToOthers(_ mode: mode_t) -> Bool { mode & 0o077 != 0 }

    /// Tightens an existing store: the database, its `-wal` and `-shm` to `0600`, its folder to `0700`.
    /// Files that are missing, not the user's or cannot be changed are skipped (a reader without the right
    /// to change them still reads).
    /// - Parameter path: the database file.
    /// - Returns: the paths whose mode changed (empty when all were already private).
    @discardableResult
    public static func tighten(store path: String) -> [String] {
        var changed: [String] = []
        for file in [path, path + "-wal", path + "-shm"] {
            var s = stat()
            guard lstat(file, &s) == 0, (s.st_mode & S_IFMT) == S_IFREG, s.st_uid == geteuid(),
                  isOpenToOthers(s.st_mode) else { continue }
            if chmod(file, fileMode) == 0 { changed.append(file) }
        }
        let folder = (path as NSString).deletingLastPathComponent
        let dir = folder.isEmpty ? "." : folder
        if FileManager.default.fileExists(atPath: path), tightenFolder(dir) { changed.append(dir) }
        return changed
    }

    /// Makes the folder that holds (or is about to hold) a store `0700`, unless it is `/`, has the sticky bit
    /// (`/tmp`) or is not the user's own: those are shared by design.
    /// - Parameter dir: the folder.
    /// - Returns: true when its mode changed.
    @discardableResult
    public static func tightenFolder(_ dir: String) -> Bool {
        var s = stat()
        guard stat(dir, &s) == 0, (s.st_mode & S_IFMT) == S_IFDIR, s.st_uid == geteuid(), s.st_mode & S_ISVTX == 0,
              isOpenToOthers(s.st_mode), (dir as NSString).standardizingPath != "/" else { return false }
        return chmod(dir, folderMode) == 0
    }

    static func io(_ message: String, errno err: Int32? = nil) -> StoreError {
        StoreError(.io, err.map { "\(message): \(String(cString: strerror($0)))" } ?? message)
    }
}
