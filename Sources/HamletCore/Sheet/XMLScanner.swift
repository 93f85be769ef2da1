/// One step of an XML document, as `XMLScanner` reports it.
package enum XMLEvent: Sendable, Equatable {
    /// An element opens: its local name (prefix dropped: `x:c` is `c`) and attributes by local name
    /// (namespace declarations left out). A self-closing element is a `start` followed by its `end`.
    case start(String, [XMLAttribute])
    /// An element closes.
    case end(String)
    /// Character data: entities and character references decoded, line ends normalised to LF (XML 1.0 §2.11).
    case text(String)
}

/// One attribute of a start tag: local name and decoded value.
package struct XMLAttribute: Sendable, Equatable {
    package var name: String
    package var value: String
}

extension [XMLAttribute] {
    /// The value of the attribute with this local name, if present.
    package subscript(_ name: String) -> String? {
        first { $0.name == name }?.value
    }
}

/// A pull scanner for the XML that spreadsheet files are made of.
///
/// Small on purpose: elements, attributes, text, CDATA, the five predefined entities and
/// character references; comments and processing instructions are skipped. A document
/// type declaration is refused (no entity expansion, so no "billion laughs"), as are
/// mismatched end tags and nesting deeper than 256. Not a validating parser: it checks
/// what the readers rely on.
package struct XMLScanner {
    private let b: [UInt8]
    private var i = 0
    private var stack: [String] = []
    private var pendingEnd: String?

    /// Starts scanning a document.
    /// - Parameter bytes: the document in UTF-8 (a byte-order mark is skipped).
    package init(_ bytes: [UInt8]) {
        b = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
    }

    /// The next event, or nil at the end of the document.
    /// - Returns: the event.
    /// - Throws: `CSVError` with `damaged-file` for XML this scanner does not accept.
    package mutating func next() throws(CSVError) -> XMLEvent? {
        if let name = pendingEnd {
            pendingEnd = nil
            return .end(name)
        }
        while i < b.count {
            if b[i] != 0x3C {  // text up to the next '<'
                let s = i
                while i < b.count, b[i] != 0x3C { i += 1 }
                return .text(try XMLScanner.decode(b[s..<i]))
            }
            let second = i + 1 < b.count ? b[i + 1] : 0
            if second != 0x21 && second != 0x3F && second != 0x2F {  // not <! <? </: the common case, a start tag
                return try startTag()
            }
            if has("<!--") {
                try skip(past: "-->")
            } else if has("<![CDATA[") {
                let s = i + 9
                try skip(past: "]]>")
                return .text(XMLScanner.normaliseLineEnds(b[s..<i - 3]))
            } else if has("<?") {
                try skip(past: "?>")
            } else if has("<!") {
                throw XMLScanner.damaged("a document type declaration")
            } else if has("</") {
                i += 2
                let name = localName(of: readName())
                skipSpace()
                guard i < b.count, b[i] == 0x3E else { throw XMLScanner.damaged("an unterminated end tag") }
                i += 1
                guard stack.popLast() == name else { throw XMLScanner.damaged("a mismatched end tag") }
                return .end(name)
            } else {
                return try startTag()
            }
        }
        guard stack.isEmpty else { throw XMLScanner.damaged("an element is never closed") }
        return nil
    }

    /// Skips the rest of the element whose start was just returned (its children and text).
    /// - Throws: `CSVError` with `damaged-file`.
    package mutating func skipElement() throws(CSVError) {
        var depth = 1
        while depth > 0, let e = try next() {
            switch e {
            case .start: depth += 1
            case .end: depth -= 1
            case .text: break
            }
        }
    }

    private mutating func startTag() throws(CSVError) -> XMLEvent {
        i += 1
        let name = localName(of: readName())
        guard !name.isEmpty else { throw XMLScanner.damaged("a '<' that starts no tag") }
        var attributes: [XMLAttribute] = []
        while true {
            skipSpace()
            guard i < b.count else { throw XMLScanner.damaged("an unterminated start tag") }
            if b[i] == 0x3E {
                i += 1
                guard stack.count < 256 else { throw XMLScanner.damaged("elements nested too deep") }
                stack.append(name)
                return .start(name, attributes)
            }
            if b[i] == 0x2F, i + 1 < b.count, b[i + 1] == 0x3E {
                i += 2
                pendingEnd = name
                return .start(name, attributes)
            }
            let qname = readName()
            guard !qname.isEmpty else { throw XMLScanner.damaged("a start tag with a stray character") }
            skipSpace()
            guard i < b.count, b[i] == 0x3D else { throw XMLScanner.damaged("an attribute without a value") }
            i += 1
            skipSpace()
            guard i < b.count, b[i] == 0x22 || b[i] == 0x27 else { throw XMLScanner.damaged("an unquoted attribute value") }
            let quote = b[i]
            i += 1
            let s = i
            while i < b.count, b[i] != quote { i += 1 }
            guard i < b.count else { throw XMLScanner.damaged("an unterminated attribute value") }
            let value = try XMLScanner.decode(b[s..<i])
            i += 1
            if qname == "xmlns" || qname.hasPrefix("xmlns:") { continue }
            attributes.append(XMLAttribute(name: localName(of: qname), value: value))
        }
    }

    /// Reads an XML name (anything up to space, `=`, `>`, `/`).
    private mutating func readName() -> String {
        let s = i
        while i < b.count {
            let c = b[i]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x3D || c == 0x3E || c == 0x2F || c == 0x3C { break }
            i += 1
        }
        return String(decoding: b[s..<i], as: UTF8.self)
    }

    private func localName(of qname: String) -> String {
        guard let colon = qname.firstIndex(of: ":") else { return qname }
        return String(qname[qname.index(after: colon)...])
    }

    private mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
    }

    private func has(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard i + n <= b.count else { return false }
        return s.withUTF8Buffer { p in
            for k in 0..<n where b[i + k] != p[k] { return false }
            return true
        }
    }

    private mutating func skip(past s: StaticString) throws(CSVError) {
        while i < b.count {
            if has(s) {
                i += s.utf8CodeUnitCount
                return
            }
            i += 1
        }
        throw XMLScanner.damaged("an unterminated comment, CDATA section or instruction")
    }

    /// Decodes entities and character references, and normalises line ends.
    static func decode(_ s: ArraySlice<UInt8>) throws(CSVError) -> String {
        guard s.contains(0x26) else { return normaliseLineEnds(s) }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var k = s.startIndex
        while k < s.endIndex {
            guard s[k] == 0x26 else {
                out.append(s[k])
                k += 1
                continue
            }
            guard let semi = s[k...].firstIndex(of: 0x3B), semi - k <= 12 else { throw damaged("an unterminated entity") }
            let name = String(decoding: s[(k + 1)..<semi], as: UTF8.self)
            switch name {
            case "lt": out.append(0x3C)
            case "gt": out.append(0x3E)
            case "amp": out.append(0x26)
            case "quot": out.append(0x22)
            case "apos": out.append(0x27)
            default:
                let hex = name.hasPrefix("#x") || name.hasPrefix("#X")
                guard name.hasPrefix("#"), let v = UInt32(name.dropFirst(hex ? 2 : 1), radix: hex ? 16 : 10),
                      let scalar = Unicode.Scalar(v) else { throw damaged("an unknown entity") }
                // A character reference is taken as written: &#13; is a CR, not a line end to normalise.
                out.append(contentsOf: Array(String(Character(scalar)).utf8).map { $0 == 0x0D ? 0xFF : $0 })
            }
            k = semi + 1
        }
        // 0xFF never occurs in UTF-8: it marks a CR from a reference while real line ends are normalised.
        return String(decoding: normalisedBytes(out[...]).map { $0 == 0xFF ? 0x0D : $0 }, as: UTF8.self)
    }

    /// CRLF and lone CR become LF.
    static func normaliseLineEnds(_ s: ArraySlice<UInt8>) -> String {
        guard s.contains(0x0D) else { return String(decoding: s, as: UTF8.self) }
        return String(decoding: normalisedBytes(s), as: UTF8.self)
    }

    private static func normalisedBytes(_ s: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var k = s.startIndex
        while k < s.endIndex {
            if s[k] == 0x0D {
                out.append(0x0A)
                if k + 1 < s.endIndex, s[k + 1] == 0x0A { k += 1 }
            } else {
                out.append(s[k])
            }
            k += 1
        }
        return out
    }

    static func damaged(_ what: String) -> CSVError {
        ZipReader.damaged("invalid XML: \(what)")
    }
}
