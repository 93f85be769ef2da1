@testable import HamletNet
import Testing

@Suite("AddressAdmission: per-address counts at accept")
struct AddressAdmissionTests {
    @Test func untrustedAreCappedPerHostAndTrustFreesASlot() {
        var a = AddressAdmission(maxUntrusted: 2, maxTotal: 3)
        #expect(a.admit("10.0.0.1") == .admitted)
        #expect(a.admit("10.0.0.1") == .admitted)
        #expect(a.admit("10.0.0.1") == .tooManyUntrusted)
        #expect(a.admit("10.0.0.2") == .admitted, "another host has its own count")
        a.trust("10.0.0.1")
        #expect(a.admit("10.0.0.1") == .admitted)
        #expect(a.admit("10.0.0.1") == .overShare, "three open: the host's share is used up")
        a.release("10.0.0.1", trusted: true)
        #expect(a.open["10.0.0.1"] == 2 && a.untrusted["10.0.0.1"] == 2)
        a.release("10.0.0.1", trusted: false)
        a.release("10.0.0.1", trusted: false)
        a.release("10.0.0.2", trusted: false)
        #expect(a.open.isEmpty && a.untrusted.isEmpty, "hosts with nothing open are forgotten")
    }
}
