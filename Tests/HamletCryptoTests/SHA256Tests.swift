import HamletCrypto
import Testing

@Suite("SHA-256 (FIPS 180-4 vectors)")
struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
        ("The quick brown fox jumps over the lazy dog", "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"),
    ])
    func knownVectors(message: String, expected: String) {
        #expect(Hex.encode(SHA256.hash(message)) == expected)
        #expect(Hex.encode(SHA256.hash(Array(message.utf8))) == expected)
    }

    @Test func oneMillionA() {
        var hasher = SHA256()
        let thousand = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 {
            hasher.update(thousand)
        }
        #expect(Hex.encode(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        let oneShot = SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(Hex.encode(oneShot) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func chineseTextHashesItsUTF8() {
        let text = "张三 李四"
        #expect(SHA256.hash(text) == SHA256.hash(Array(text.utf8)))
    }

    @Test func incrementalEqualsOneShotAtEverySplit() {
        let message = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let expected = SHA256.hash(message)
        for split in 0...message.count {
            var hasher = SHA256()
            hasher.update(message[..<split])
            hasher.update(message[split...])
            #expect(hasher.finalize() == expected, "split at \(split)")
        }
        // Three-way splits and single bytes too.
        for first in stride(from: 0, through: 200, by: 7) {
            for second in stride(from: first, through: 200, by: 13) {
                var hasher = SHA256()
                hasher.update(message[..<first])
                hasher.update(message[first..<second])
                hasher.update(message[second...])
                #expect(hasher.finalize() == expected, "split at \(first), \(second)")
            }
        }
        var byteByByte = SHA256()
        for byte in message {
            byteByByte.update(CollectionOfOne(byte))
        }
        #expect(byteByByte.finalize() == expected)
    }

    @Test func nonContiguousCollections() {
        let message = (0..<150).map { UInt8(truncatingIfNeeded: $0) }
        var hasher = SHA256()
        hasher.update(message.lazy.map { $0 })  // not contiguous
        #expect(hasher.finalize() == SHA256.hash(message))
    }

    @Test func finalizeDoesNotDisturbTheHasher() {
        var hasher = SHA256()
        hasher.update("ab")
        _ = hasher.finalize()
        hasher.update("c")
        #expect(Hex.encode(hasher.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func paddingBoundaries() {
        // Lengths around 55/56/64 bytes exercise the one- and two-block padding paths.
        for length in [55, 56, 57, 63, 64, 65, 119, 120, 128] {
            let message = [UInt8](repeating: 0x61, count: length)
            var split = SHA256()
            split.update(message[..<(length / 2)])
            split.update(message[(length / 2)...])
            #expect(split.finalize() == SHA256.hash(message))
        }
        #expect(
            Hex.encode(SHA256.hash([UInt8](repeating: 0x61, count: 64)))
                == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"
        )
    }
}

@Suite("HMAC-SHA256 (RFC 4231)")
struct HMACSHA256Tests {
    private static func bytes(_ hex: String) -> [UInt8] {
        Hex.decode(hex) ?? []
    }

    @Test(arguments: [
        // Case 1
        (String(repeating: "0b", count: 20), Hex.encode(Array("Hi There".utf8)),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        // Case 2
        (Hex.encode(Array("Jefe".utf8)), Hex.encode(Array("what do ya want for nothing?".utf8)),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        // Case 3
        (String(repeating: "aa", count: 20), String(repeating: "dd", count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        // Case 4
        ("0102030405060708090a0b0c0d0e0f10111213141516171819", String(repeating: "cd", count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        // Case 6: key larger than the block
        (String(repeating: "aa", count: 131),
         Hex.encode(Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        // Case 7: key and message larger than the block
        (String(repeating: "aa", count: 131),
         Hex.encode(Array(("This is a test using a larger than block-size key and a larger than block-size data."
             + " The key needs to be hashed before being used by the HMAC algorithm.").utf8)),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ])
    func rfc4231(keyHex: String, messageHex: String, expected: String) {
        let tag = HMACSHA256.authenticate(key: Self.bytes(keyHex), message: Self.bytes(messageHex))
        #expect(Hex.encode(tag) == expected)
    }

    @Test func rfc4231Case5Truncated() {
        let tag = HMACSHA256.authenticate(
            key: [UInt8](repeating: 0x0c, count: 20),
            message: Array("Test With Truncation".utf8)
        )
        #expect(Hex.encode(Array(tag.prefix(16))) == "a3b6167473100ee06e0c796c2955552b")
    }

    @Test func keyOfExactlyOneBlock() {
        let key = [UInt8](repeating: 0x42, count: 64)
        let tag = HMACSHA256.authenticate(key: key, message: Array("x".utf8))
        #expect(tag.count == 32)
        #expect(tag != HMACSHA256.authenticate(key: Array(key.prefix(63)), message: Array("x".utf8)))
    }
}

@Suite("Hex, constant-time compare, random")
struct EncodingTests {
    @Test func hexRoundTrip() throws {
        let all = (0...255).map { UInt8($0) }
        let encoded = Hex.encode(all)
        #expect(encoded.hasPrefix("000102"))
        #expect(encoded.hasSuffix("fdfeff"))
        #expect(try #require(Hex.decode(encoded)) == all)
        #expect(Hex.decode("DEADbeef") == [0xde, 0xad, 0xbe, 0xef])
        #expect(Hex.decode("") == [])
        #expect(Hex.encode([]) == "")
    }

    @Test(arguments: ["0", "abc", "zz", "0g", " 00", "00 ", "0x00", "é0", "张三"])
    func badHex(_ text: String) {
        #expect(Hex.decode(text) == nil)
    }

    @Test func constantTimeEqualsBehaves() {
        #expect(constantTimeEquals([], []))
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([0, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(!constantTimeEquals([], [0]))
    }

    @Test func secureRandomBytes() {
        #expect(SecureRandom.bytes(0).isEmpty)
        #expect(SecureRandom.bytes(-3).isEmpty)
        for count in [1, 7, 8, 9, 32, 33] {
            #expect(SecureRandom.bytes(count).count == count)
        }
        let a = SecureRandom.bytes(32), b = SecureRandom.bytes(32)
        #expect(a != b)
    }

    @Test func challengeResponseShape() {
        // The hub stores SHA-256(secret); the node answers HMAC(secret, nonce ‖ node-id).
        let secret = SecureRandom.bytes(32)
        let stored = SHA256.hash(secret)
        let nonce = SecureRandom.bytes(16)
        let answer = HMACSHA256.authenticate(key: secret, message: nonce + Array("node-7".utf8))
        #expect(constantTimeEquals(SHA256.hash(secret), stored))
        #expect(constantTimeEquals(answer, HMACSHA256.authenticate(key: secret, message: nonce + Array("node-7".utf8))))
        #expect(!constantTimeEquals(answer, HMACSHA256.authenticate(key: secret, message: nonce + Array("node-8".utf8))))
    }
}
