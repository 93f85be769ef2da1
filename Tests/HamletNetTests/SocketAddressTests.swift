import HamletNet
import Testing

@Suite struct SocketAddressTests {
    @Test(arguments: [
        ("127.0.0.1:7420", "127.0.0.1", UInt16(7420), true),
        ("0.0.0.0:0", "0.0.0.0", 0, false),
        ("[::1]:7420", "::1", 7420, true),
        ("[0:0:0:0:0:0:0:1]:80", "::1", 80, true),
        ("localhost:7420", "127.0.0.1", 7420, true),
        ("LOCALHOST:1", "127.0.0.1", 1, true),
        ("192.168.1.20:65535", "192.168.1.20", 65535, false),
    ])
    func parsesValidAddresses(text: String, host: String, port: UInt16, loopback: Bool) throws {
        let address = try SocketAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(address.isLoopback == loopback)
        #expect(try SocketAddress(parsing: address.description) == address)
    }

    @Test(arguments: [
        "", "127.0.0.1", "127.0.0.1:", ":7420", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:7x",
        "::1:7420", "[::1]7420", "[::1", "example.com:80", "256.0.0.1:1", "1.2.3:4", "[127.0.0.1]:80x",
    ])
    func rejectsInvalidAddresses(text: String) {
        #expect {
            try SocketAddress(parsing: text)
        } throws: { error in
            (error as? NetError)?.code == .addressInvalid
        }
    }

    @Test func describesIPv6WithBrackets() throws {
        let address = try SocketAddress(host: "::1", port: 9)
        #expect(address.description == "[::1]:9")
        #expect(address.family == .ipv6)
        #expect(SocketAddress.loopback(port: 5).description == "127.0.0.1:5")
    }

    @Test func errorsCarryStableCodes() {
        let error = NetError(.timeout, errno: 110, "reading passed its deadline")
        #expect(error.description.hasPrefix("timeout: reading passed its deadline (errno 110"))
        #expect(NetError.Code.timeout ~= error)
        #expect(!(NetError.Code.closed ~= error))
    }
}
