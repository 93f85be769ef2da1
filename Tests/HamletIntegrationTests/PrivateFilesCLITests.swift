import Foundation
import HamletTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

// Issue 16, item 1 through the built binary: stores, their WAL and SHM, backups and data folders are
// private (0600 / 0700) whatever the umask, and a store an older Hamlet left readable is tightened on
// first open, with one notice.

/// Runs `body` with the process umask set to `mask` (children inherit it), restoring the old one after.
private func withUmask<T>(_ mask: mode_t, _ body: () throws -> T) rethrows -> T {
    let old = umask(mask)
    defer { umask(old) }
    return try body()
}

private func mode(_ path: String) -> mode_t? { fileMode(path) }

@Suite("Private data at rest (issue 16, item 1)", .serialized)
struct PrivateFilesCLITests {
    @Test("under umask 022, hub, node, WAL, SHM, backup and their folders are 0600 / 0700")
    func createdPrivate() throws {
        let tmp = TempDir("private-create")
        defer { tmp.remove() }
        try withUmask(0o022) {
            let hub = HamletDir(tmp.file("town/hub"))
            let r = try hub.run(["hub", "init"])
            try #require(r.status == 0, "\(r)")
            #expect(mode(tmp.file("town")) == 0o700, "a parent folder Hamlet made is private too")
            #expect(mode(hub.path) == 0o700)
            #expect(mode(hub.file("hub.sqlite")) == 0o600)
            let node = HamletDir(tmp.file("village"))
            let n = try node.run(["init", "--node", "bz", "--village", "北赵"])
            try #require(n.status == 0, "\(n)")
            #expect(mode(node.path) == 0o700)
            #expect(mode(node.file("replica.sqlite")) == 0o600)
            // While a hub serves, its WAL and SHM exist: they take the store's mode.
            let server = try Hamlet.startServer(dir: hub.path)
            let backup = try hub.run(["hub", "backup", "--to", tmp.file("copies/monday")])
            #expect(backup.status == 0, "\(backup)")
            #expect(mode(hub.file("hub.sqlite-wal")) == 0o600, "WAL")
            #expect(mode(hub.file("hub.sqlite-shm")) == 0o600, "SHM")
            let stopped = server.stop()
            #expect(stopped.status == 0, "\(stopped)")
            #expect(mode(tmp.file("copies")) == 0o700)
            #expect(mode(tmp.file("copies/monday")) == 0o700)
            #expect(mode(tmp.file("copies/monday/hub.sqlite")) == 0o600, "the backup holds the nodes' keys")
            #expect(!backup.stderr.contains("0600"), "nothing to tighten, nothing said: \(backup.stderr)")
            // A folder the user made first (0755) is made private when a store goes in: no notice later.
            let made = HamletDir(tmp.file("made"))
            try FileManager.default.createDirectory(atPath: made.path, withIntermediateDirectories: false)
            #expect(mode(made.path) == 0o755)
            try #require(try made.run(["init", "--node", "nz", "--village", "南赵"]).status == 0)
            #expect(mode(made.path) == 0o700)
            let next = try made.run(["status"])
            #expect(next.status == 0 && next.stderr.isEmpty, "\(next)")
        }
    }

    @Test("a world-readable store is tightened on first open and the notice is printed once, in the user's language")
    func existingTightened() throws {
        let tmp = TempDir("private-tighten")
        defer { tmp.remove() }
        let node = HamletDir(tmp.file("village"))
        try #require(try node.run(["init", "--node", "bz", "--village", "北赵"]).status == 0)
        let db = node.file("replica.sqlite")
        // What an older Hamlet left under the default umask.
        #expect(chmod(db, 0o644) == 0 && chmod(node.path, 0o755) == 0)
        let first = try node.run(["status", "--lang", "zh"])
        #expect(first.status == 0, "\(first)")
        #expect(mode(db) == 0o600 && mode(node.path) == 0o700)
        let notices = first.stderr.components(separatedBy: "只有本用户能读写").count - 1
        #expect(notices == 1, "said once: \(first.stderr)")
        #expect(!first.stderr.contains(tmp.path), "no path in the notice")
        let second = try node.run(["status"])
        #expect(second.status == 0 && !second.stderr.contains("private"), "already private: nothing said: \(second.stderr)")

        let hub = HamletDir(tmp.file("hub"))
        try #require(try hub.run(["hub", "init"]).status == 0)
        #expect(chmod(hub.file("hub.sqlite"), 0o640) == 0)
        let opened = try hub.run(["hub", "nodes"])
        #expect(opened.stderr.contains("they are now private to this user"), "\(opened)")
        #expect(mode(hub.file("hub.sqlite")) == 0o600)
    }
}
