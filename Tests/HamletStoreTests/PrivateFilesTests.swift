import Foundation
@testable import HamletStore
import HamletTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

private func mode(_ path: String) -> mode_t? {
    var s = stat()
    guard stat(path, &s) == 0 else { return nil }
    return s.st_mode & 0o7777
}

/// Issue 16, item 1: explicit modes whatever the umask, and the tightening rule.
@Suite(.serialized)
struct PrivateFilesTests {
    @Test func explicitModesUnderAnOpenUmask() throws {
        let dir = TempDir("private-umask")
        defer { dir.remove() }
        let old = umask(0)
        defer { umask(old) }
        try PrivateFiles.makeFolder(dir.file("a/b/c"))
        for p in ["a", "a/b", "a/b/c"] { #expect(mode(dir.file(p)) == 0o700, "\(p)") }
        let c = try Connection(path: dir.file("a/b/c/x.sqlite"))
        try c.execute("CREATE TABLE t (a)")
        try c.run("INSERT INTO t VALUES (1)")
        #expect(mode(dir.file("a/b/c/x.sqlite")) == 0o600)
        #expect(mode(dir.file("a/b/c/x.sqlite-wal")) == 0o600, "SQLite copies the database's mode")
        #expect(mode(dir.file("a/b/c/x.sqlite-shm")) == 0o600)
        try c.backup(to: dir.file("a/copy.sqlite"))
        #expect(mode(dir.file("a/copy.sqlite")) == 0o600)
        c.close()
    }

    @Test func tighteningChangesOnlyWhatWasOpenAndSaysWhat() throws {
        let dir = TempDir("private-tighten")
        defer { dir.remove() }
        let db = dir.file("s/x.sqlite")
        try PrivateFiles.makeFolder(dir.file("s"))
        try PrivateFiles.createFile(db)
        #expect(PrivateFiles.tighten(store: db).isEmpty, "already private")
        #expect(chmod(db, 0o644) == 0 && chmod(dir.file("s"), 0o755) == 0)
        #expect(FileManager.default.createFile(atPath: db + "-wal", contents: nil))
        #expect(chmod(db + "-wal", 0o604) == 0)
        #expect(Set(PrivateFiles.tighten(store: db)) == [db, db + "-wal", dir.file("s")])
        #expect(mode(db) == 0o600 && mode(db + "-wal") == 0o600 && mode(dir.file("s")) == 0o700)
        #expect(PrivateFiles.tighten(store: db).isEmpty, "once")
        // A folder with no store, and a shared (sticky) folder, are left alone.
        #expect(chmod(dir.file("s"), 0o755) == 0)
        #expect(PrivateFiles.tighten(store: dir.file("s/none.sqlite")).isEmpty)
        #expect(chmod(dir.file("s"), 0o1777) == 0)
        #expect(!PrivateFiles.tightenFolder(dir.file("s")) && mode(dir.file("s")) == 0o1777)
        #expect(!PrivateFiles.tightenFolder("/"))
    }
}
