import HamletCrypto

/// Node credentials: a random 256-bit secret per node, of which the hub keeps
/// only `storedKey = SHA-256(secret)`.
///
/// The login is a challenge–response in the manner of SCRAM (RFC 5802): the
/// hub sends a random nonce; the node answers
/// `proof = secret XOR HMAC-SHA256(storedKey, nonce ‖ node)`; the hub computes
/// the same HMAC, recovers the candidate secret and checks that its SHA-256 is
/// the stored key, in constant time. The secret never crosses the wire in the
/// clear, a recorded exchange cannot be replayed (fresh nonce), and a copy of
/// the hub's database does not let anyone log in as a node.
public enum Credentials {
    /// A new secret, hex (64 characters).
    public static func makeSecret() -> String { Hex.encode(SecureRandom.bytes(32)) }

    /// A new nonce, hex.
    public static func makeNonce() -> String { Hex.encode(SecureRandom.bytes(32)) }

    /// The hub's stored key for a secret (hex), nil when the secret is not 64 hex digits.
    public static func storedKey(secret: String) -> String? {
        guard let s = Hex.decode(secret.trimmingCharacters()), s.count == 32 else { return nil }
        return Hex.encode(SHA256.hash(s))
    }

    /// The node's answer to a challenge, hex; nil for a malformed secret or nonce.
    public static func proof(secret: String, nonce: String, node: String) -> String? {
        guard let s = Hex.decode(secret.trimmingCharacters()), s.count == 32, let n = Hex.decode(nonce) else { return nil }
        let mask = HMACSHA256.authenticate(key: SHA256.hash(s), message: n + Array(node.utf8))
        return Hex.encode(zip(s, mask).map { $0 ^ $1 })
    }

    /// Checks a proof against the stored key, in constant time.
    public static func verify(proof: String, storedKey: String, nonce: String, node: String) -> Bool {
        guard let p = Hex.decode(proof), p.count == 32, let key = Hex.decode(storedKey), key.count == 32,
              let n = Hex.decode(nonce) else { return false }
        let mask = HMACSHA256.authenticate(key: key, message: n + Array(node.utf8))
        let candidate = zip(p, mask).map { $0 ^ $1 }
        return constantTimeEquals(SHA256.hash(candidate), key)
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\n" || f == "\r" || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\n" || l == "\r" || l == "\t" { s.removeLast() }
        return String(s)
    }
}
