import HamletStore

// Tests look at a store the way an outside tool would: a second SQLite connection on
// its file. The stores' own connections stay internal to HamletStore.

extension HubStore {
    /// A new connection on `hub.sqlite`, for tests that inspect or sabotage the file.
    /// - Throws: `StoreError`.
    public func sqliteFile() throws -> Connection {
        try Connection(path: HubStore.path(in: directory))
    }
}

extension Replica {
    /// A new connection on `replica.sqlite`, for tests that inspect or tamper with the file.
    /// - Throws: `StoreError`.
    public func sqliteFile() throws -> Connection {
        try Connection(path: Replica.path(in: directory))
    }
}
