import HamletProtocol
import Testing

/// The one resync policy: the hub's rules at login and before a pull, the node's after verify.
struct ResyncPolicyTests {
    struct LoginCase: Sendable, CustomTestStringConvertible {
        var hub: String
        var epoch: String
        var cursor: Int64
        var reason: ResyncReason?
        var testDescription: String { "hub \(hub) epoch \(epoch) cursor \(cursor) → \(reason?.rawValue ?? "none")" }
    }

    @Test(arguments: [
        LoginCase(hub: "h", epoch: "e", cursor: 0, reason: nil),
        LoginCase(hub: "", epoch: "", cursor: 0, reason: nil),
        LoginCase(hub: "h", epoch: "e", cursor: 10, reason: nil),
        LoginCase(hub: "other", epoch: "e", cursor: 0, reason: .hubReplaced),
        LoginCase(hub: "other", epoch: "old", cursor: 99, reason: .hubReplaced),
        LoginCase(hub: "h", epoch: "old", cursor: 99, reason: .hubRestored),
        LoginCase(hub: "", epoch: "old", cursor: 0, reason: .hubRestored),
        LoginCase(hub: "h", epoch: "e", cursor: 11, reason: .cursorAhead),
        LoginCase(hub: "", epoch: "", cursor: 11, reason: .cursorAhead),
    ])
    func atLogin(_ c: LoginCase) {
        let hello = ClientMessage.Hello(node: "n", client: "t", hub: c.hub, epoch: c.epoch, cursor: c.cursor, clock: nil)
        #expect(ResyncPolicy.atLogin(.init(hello: hello, hub: "h", epoch: "e", head: 10)) == c.reason)
    }

    @Test func beforePullAndAfterVerify() {
        #expect(ResyncPolicy.beforePull(cursor: 10, head: 10) == nil)
        #expect(ResyncPolicy.beforePull(cursor: 11, head: 10) == .cursorAhead)
        #expect(ResyncPolicy.afterVerify(match: true, resynced: false, mayRepair: true) == nil)
        #expect(ResyncPolicy.afterVerify(match: false, resynced: false, mayRepair: true) == .verifyMismatch)
        #expect(ResyncPolicy.afterVerify(match: false, resynced: true, mayRepair: true) == nil)
        #expect(ResyncPolicy.afterVerify(match: false, resynced: false, mayRepair: false) == nil)
    }

    @Test func wireReasonsRoundTrip() {
        for reason in ResyncReason.allCases { #expect(ResyncReason.fromWire(reason.rawValue) == reason) }
        #expect(ResyncReason.fromWire(nil) == .hubAsked)
        #expect(ResyncReason.fromWire("something new") == .hubAsked)
    }
}
