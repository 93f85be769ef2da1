import Foundation
import HamletCore
import HamletNet
import HamletProtocol
import HamletStore

/// The store work of a session, each on a pool thread: login, push, pull, verify, outcomes and the
/// resync stream. Each reads or writes through one `HubStore` call and replies with one message
/// (or a stream), then hands the session back to `finishJob`.
extension HubSession {
    func authenticate(_ store: HubStore, node: String, proof: String, nonce: String, hello: ClientMessage.Hello,
                      ticket: LoginThrottleState.Ticket) {
        let welcome: (HubMessage.Welcome)?
        do {
            welcome = try store.read { () throws -> HubMessage.Welcome? in
                let record = try store.node(node)
                let valid = Credentials.verify(proof: proof, storedKey: record?.secretHash ?? HubSession.decoyStoredKey,
                                               nonce: nonce, node: node)
                guard valid, let record else { return nil }
                let hubID = try store.hubID()
                let epoch = try store.epoch()
                let head = try store.head()
                let reason = ResyncPolicy.atLogin(.init(hello: hello, hub: hubID, epoch: epoch, head: head))
                // The hub's schema travels to a node that holds an older one (it migrates before syncing).
                let nodeSchema = hello.schema ?? 1
                return HubMessage.Welcome(hub: hubID, epoch: epoch, head: head, lastSeq: record.lastSeq,
                                          village: record.village, resync: reason != nil, reason: reason?.rawValue,
                                          limits: limits, clock: try store.clock(),
                                          schema: nodeSchema < store.schema.version ? store.schema : nil,
                                          features: ProtocolFeature.all)
            }
        } catch {
            context.throttle.abandoned(ticket)
            storeFailed(error, during: "login")
            return
        }
        guard let welcome else {
            let delay = context.throttle.failed(ticket)
            // The sweeper sends the reply when it is due; no thread waits for it.
            lock.lock()
            if case .fail(let error) = machine.authFailed() {
                authFailure = (ContinuousClock.now.advanced(by: delay), error)
            }
            lock.unlock()
            return
        }
        context.throttle.succeeded(ticket)
        if (hello.schema ?? 1) > store.schema.version {
            fail(.schemaNewer, "this node's register schema (version \(hello.schema ?? 1)) is newer than the hub's (\(store.schema.version)): upgrade the hub first")
            return
        }
        lock.lock()
        let action = machine.authenticated(welcome)
        if case .sendWelcome = action {
            self.node = node
            // Logged in: no longer one of the address's pre-login connections.
            connection.markTrusted()
        }
        lock.unlock()
        perform(action)
    }

    /// A batch's group has committed (or failed): acknowledge it. Runs on the writer thread, after the commit.
    func pushed(_ result: Result<[ChangeResult], any Error>, batch: Int64, count: Int) {
        let results: [ChangeResult]
        switch result {
        case .success(let r):
            results = r
        case .failure(let gap as SeqGap):
            // Nothing of the batch was applied; the session stays ready.
            lock.lock()
            let action = machine.seqGap(expected: gap.expected)
            lock.unlock()
            perform(action)
            return
        case .failure(let error):
            storeFailed(error, during: "push")
            return
        }
        lock.lock()
        machine.acknowledged(results)
        stats.pushed += count
        for result in results {
            switch result.status {
            case .applied: stats.accepted += 1
            case .conflict:
                stats.accepted += 1
                stats.conflicts += 1
            case .rejected: stats.rejected += 1
            case .parked: stats.parked += 1
            }
        }
        lock.unlock()
        send(.ack(batch: batch, results: results))
        finishJob()
    }

    func pull(_ store: HubStore, peer: HubSessionMachine.Peer, cursor: Int64, limit: Int) {
        let village = peer.village
        let message: HubMessage
        let count: Int
        do {
            (message, count) = try store.read {
                // Issue 18: a township node's scope is its villages (HubStore+ScopePull.swift).
                let page = try store.pull(scope: try store.scope(node: peer.node, village: village), after: cursor, limit: limit)
                return (HubMessage.page(items: page.items, cursor: page.cursor, head: page.head, done: page.done,
                                        clock: try store.clock()), page.items.count)
            }
        } catch {
            storeFailed(error, during: "pull")
            return
        }
        lock.lock()
        stats.pulled += count
        if case .page(_, let c, let head, _, _) = message {
            stats.cursor = c
            machine.paged(cursor: c, head: head)
        }
        lock.unlock()
        send(message)
        finishJob()
    }

    func verify(_ store: HubStore, peer: HubSessionMachine.Peer, digest: ScopeDigest) {
        let hub: ScopeDigest
        do {
            hub = try store.read { try store.digest(scope: try store.scope(node: peer.node, village: peer.village)) }  // issue 18
        } catch {
            storeFailed(error, during: "verify")
            return
        }
        let mismatched = ScopeDigest.mismatched(hub, digest)
        send(.verified(match: mismatched.isEmpty, tables: mismatched))
        finishJob()
    }

    func outcomes(_ store: HubStore, peer: HubSessionMachine.Peer, ids: [Int64]) {
        let outcomes: [ConflictOutcome]
        do {
            outcomes = try store.read { try store.outcomes(of: ids, village: peer.village, node: peer.node) }
        } catch {
            storeFailed(error, during: "outcomes")
            return
        }
        send(.conflicts(outcomes))
        finishJob()
    }

    func resync(_ store: HubStore, peer: HubSessionMachine.Peer) {
        let village = peer.village
        let node = peer.node
        lock.lock()
        stats.resync = true
        lock.unlock()
        let snapshotHead: Int64
        do {
            snapshotHead = try store.read {
                // The first read fixes the snapshot: every page below comes from the same state of the hub.
                let head = try store.head()
                let scope = try store.scope(node: node, village: village)  // issue 18: a township's villages
                send(.snapshotBegin(head: head, epoch: try store.epoch(), hub: try store.hubID()))
                var count: Int64 = 0
                for table in store.schema.tables {
                    var after = ""
                    while true {
                        let rows = try store.snapshot(scope: scope, table: table, afterID: after, limit: limits.pageSize)
                        guard let last = rows.last else { break }
                        send(.rows(rows))
                        count += Int64(rows.count)
                        after = last.id
                        try awaitOutput()
                        if rows.count < limits.pageSize { break }
                    }
                }
                send(.snapshotEnd(head: head, count: count, lastSeq: try store.lastSeq(node: node), clock: try store.clock()))
                return head
            }
        } catch let aborted as ResyncAborted {
            fail(aborted.code, aborted.message)
            return
        } catch {
            storeFailed(error, during: "resync")
            return
        }
        lock.lock()
        machine.snapshotSent(head: snapshotHead)
        lock.unlock()
        finishJob()
    }

    /// Keeps memory flat while streaming: waits for the node to read, extends the deadline, and stops early when
    /// the connection closed or the server is stopping.
    func awaitOutput() throws {
        guard connection.waitForOutput(below: HubSession.resyncOutputThreshold, timeout: context.writeTimeout) else {
            throw ResyncAborted(code: .timeout, message: "the node stopped reading the snapshot")
        }
        lock.lock()
        defer { lock.unlock() }
        if isShutdownPending {
            throw ResyncAborted(code: .shuttingDown, message: "the hub is stopping; resync again later")
        }
        if isFinished {
            throw ResyncAborted(code: .timeout, message: "the session ended")
        }
        setDeadlineLocked(HubSession.jobTimeout)
    }
}
