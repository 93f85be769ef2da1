import Foundation
import HamletCore
@testable import HamletProtocol
import Testing

/// The decode rules of PROTOCOL.md §2 and §6: strict ints with index paths, the same on the fast and the
/// general path, and which error wins.
struct CodecTests {
    static let row = "01a20814-a626-77d5-9cbc-2e89ff793c00"
    static let hlc = "001767225600710.000001.beizhao"
    static let hash = String(repeating: "0", count: 64)

    static func change(seq: String = "1", rowBase: String = "0", base: String = "0", value: String = "\"北赵\"") -> String {
        #"{"node":"beizhao","seq":\#(seq),"table":"households","row":"\#(row)","op":"put","values":{"address":\#(value),"village":"beizhao"},"bases":{"address":\#(base)},"row_base":\#(rowBase),"hlc":"\#(hlc)","author":"clerk","epoch":""}"#
    }

    static func rowState(hseq: String = "4", version: String = "4") -> String {
        #"{"table":"households","id":"\#(row)","values":{"address":"x","village":"beizhao"},"versions":{"address":\#(version)},"hseq":\#(hseq)}"#
    }

    /// One valid line per message, with every int field a placeholder `N0`, `N1` … (filled with `1` when valid).
    struct Template: Sendable, CustomTestStringConvertible {
        var hub: Bool
        var line: String
        /// The path of each placeholder, in order.
        var paths: [String]
        var testDescription: String { paths.isEmpty ? line : "\(line.prefix(30))… \(paths.joined(separator: ", "))" }

        func filled(_ index: Int, with text: String) -> String {
            var s = line
            for (i, _) in paths.enumerated().reversed() {
                s = s.replacingOccurrences(of: "N\(i)", with: i == index ? text : "1")
            }
            return s
        }
    }

    static let templates: [Template] = [
        Template(hub: false, line: #"{"type":"hello","protocol":N0,"node":"beizhao","client":"t","hub":"","epoch":"","cursor":N1,"clock":N2}"#,
                 paths: ["protocol", "cursor", "clock"]),
        Template(hub: false, line: #"{"type":"push","batch":N0,"changes":[\#(change(seq: "N1", rowBase: "N2", base: "N3", value: "N4"))]}"#,
                 paths: ["batch", "changes.0.seq", "changes.0.row_base", "changes.0.bases.address", "changes.0.values.address"]),
        Template(hub: false, line: #"{"type":"pull","cursor":N0,"limit":N1}"#, paths: ["cursor", "limit"]),
        Template(hub: false, line: #"{"type":"verify","digest":{"tables":{"people":{"count":N0,"hash":"\#(hash)"}}}}"#,
                 paths: ["digest.tables.people.count"]),
        Template(hub: false, line: #"{"type":"outcomes","conflicts":[N0,N1]}"#, paths: ["conflicts.0", "conflicts.1"]),
        Template(hub: true, line: #"{"type":"conflicts","conflicts":[{"id":N0,"kind":"field","status":"resolved","resolved_at":N1,"value":N2}]}"#,
                 paths: ["conflicts.0.id", "conflicts.0.resolved_at", "conflicts.0.value"]),
        Template(hub: true, line: #"{"type":"welcome","hub":"h","epoch":"e","head":N0,"last_seq":N1,"village":"beizhao","resync":false,"limits":{"max_line":N2,"max_batch":N3,"page_size":N4,"idle_timeout":N5,"read_timeout":N6}}"#,
                 paths: ["head", "last_seq", "limits.max_line", "limits.max_batch", "limits.page_size", "limits.idle_timeout", "limits.read_timeout"]),
        Template(hub: true, line: #"{"type":"ack","batch":N0,"results":[{"seq":N1,"status":"conflict","hseq":N2,"conflicts":[N3]}]}"#,
                 paths: ["batch", "results.0.seq", "results.0.hseq", "results.0.conflicts.0"]),
        Template(hub: true, line: #"{"type":"page","cursor":N0,"head":N1,"done":true,"items":[{"op":"put","row":\#(rowState(hseq: "N2", version: "N3"))},{"op":"leave","table":"households","id":"\#(row)","hseq":N4}]}"#,
                 paths: ["cursor", "head", "items.0.row.hseq", "items.0.row.versions.address", "items.1.hseq"]),
        Template(hub: true, line: #"{"type":"rows","rows":[\#(rowState(hseq: "N0", version: "N1"))]}"#, paths: ["rows.0.hseq", "rows.0.versions.address"]),
        Template(hub: true, line: #"{"type":"snapshot-begin","head":N0,"epoch":"e","hub":"h"}"#, paths: ["head"]),
        Template(hub: true, line: #"{"type":"snapshot-end","head":N0,"count":N1,"last_seq":N2}"#, paths: ["head", "count", "last_seq"]),
        Template(hub: true, line: #"{"type":"error","code":"rate-limited","message":"m","fatal":true,"retry_after":N0}"#, paths: ["retry_after"]),
        Template(hub: true, line: #"{"type":"error","code":"seq-gap","message":"m","fatal":false,"expected_seq":N0}"#, paths: ["expected_seq"]),
    ]

    static func decode(_ t: Template, _ line: String) throws(ProtocolError) {
        if t.hub { _ = try Codec.decodeHub(Array(line.utf8)) } else { _ = try Codec.decodeClient(Array(line.utf8)) }
    }

    @Test(arguments: templates)
    func everyTemplateIsValid(_ t: Template) throws {
        try Self.decode(t, t.filled(-1, with: "1"))
        // Integers at the ends of the 64-bit range are ints.
        for i in t.paths.indices {
            try Self.decode(t, t.filled(i, with: "9223372036854775807"))
            try Self.decode(t, t.filled(i, with: "-9223372036854775808"))
        }
    }

    /// Valid JSON numbers that are not ints: refused as `bad-field` naming the path, in every message.
    static let notInts = ["1.5", "1.0", "1e3", "1E0", "-0.0", "9223372036854775808", "-9223372036854775809", "18446744073709551616"]

    @Test(arguments: templates)
    func numbersThatAreNotIntsAreBadField(_ t: Template) {
        for (i, path) in t.paths.enumerated() {
            for number in Self.notInts {
                let line = t.filled(i, with: number)
                #expect(throws: ProtocolError.self, "\(line)") { try Self.decode(t, line) }
                do {
                    try Self.decode(t, line)
                } catch {
                    #expect(error.code == .badField, "\(number) at \(path): \(error)")
                    #expect(error.message.contains("at \(path)"), "\(number) at \(path): \(error.message)")
                    #expect(!error.message.contains("Index"))
                }
            }
        }
    }

    @Test func wrongTypeNamesThePathWithIndexes() throws {
        let line = #"{"type":"push","batch":1,"changes":[\#(Self.change()),\#(Self.change(seq: "\"2\""))]}"#
        #expect(throws: ProtocolError(.badField, "wrong type at changes.1.seq: expected an integer within 64 bits")) {
            try Codec.decodeClient(Array(line.utf8))
        }
        let missing = #"{"type":"push","batch":1,"changes":[{"node":"beizhao","seq":1,"table":"households","row":"\#(Self.row)","op":"put"}]}"#
        #expect(throws: ProtocolError(.badField, "missing field changes.0.hlc")) { try Codec.decodeClient(Array(missing.utf8)) }
        let null = #"{"type":"pull","cursor":null}"#
        #expect(throws: ProtocolError(.badField, "null at cursor")) { try Codec.decodeClient(Array(null.utf8)) }
        let op = #"{"type":"push","batch":1,"changes":[\#(Self.change().replacingOccurrences(of: "\"put\"", with: "\"秘密\""))]}"#
        do {
            _ = try Codec.decodeClient(Array(op.utf8))
            Issue.record("a bad op decoded")
        } catch {
            #expect(error == ProtocolError(.badField, "bad value at changes.0.op"))
        }
    }

    @Test("an outcome's value: absent (nothing decided), null (the field was cleared) or a value, kept apart both ways")
    func outcomeValuesKeepNullApartFromAbsent() throws {
        let outcomes = [ConflictOutcome(id: 1, kind: "field", status: "resolved", field: "phone", resolution: "new value",
                                        resolvedBy: "镇管理员", resolvedAt: 5, value: .null),
                        ConflictOutcome(id: 2, kind: "field", status: "resolved", field: "phone", resolution: "moot", resolvedBy: "a"),
                        ConflictOutcome(id: 3, kind: "duplicate", status: "resolved", resolution: "merge", survivor: Self.row),
                        ConflictOutcome(id: 4, kind: "field", status: "resolved", resolution: "take hub", value: .integer(12))]
        let line = Codec.encode(HubMessage.conflicts(outcomes))
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.contains(#""value":null"#) && text.contains(#""value":12"#) && text.contains(#""survivor":"\#(Self.row)""#))
        #expect(try Codec.decodeHub(Array(line.dropLast())) == .conflicts(outcomes))
        let missing = #"{"type":"conflicts","conflicts":[{"id":1,"kind":"field"}]}"#
        #expect(throws: ProtocolError(.badField, "missing field conflicts.0.status")) { try Codec.decodeHub(Array(missing.utf8)) }
        let ask = Codec.encode(ClientMessage.outcomes(conflicts: [7, 3]))
        #expect(String(decoding: ask, as: UTF8.self) == #"{"conflicts":[7,3],"type":"outcomes"}"# + "\n")
        let notList = #"{"type":"outcomes","conflicts":7}"#
        #expect(throws: ProtocolError(.badField, "wrong type at conflicts: expected an array")) { try Codec.decodeClient(Array(notList.utf8)) }
    }

    /// Which error wins when several apply (PROTOCOL.md §6, "Which error wins").
    struct PrecedenceCase: Sendable, CustomTestStringConvertible {
        var what: String
        var line: [UInt8]
        var code: ErrorCode
        var message: String?
        var testDescription: String { what }
    }

    static let precedence: [PrecedenceCase] = [
        .init(what: "bad UTF-8 beats bad JSON", line: [0x7B, 0xFF, 0x22], code: .badUTF8),
        .init(what: "bad UTF-8 inside a string of a valid message", line: Array(#"{"type":"pull","cursor":0,"x":""#.utf8) + [0xC3, 0x28, 0x22, 0x7D],
              code: .badUTF8),
        .init(what: "bad JSON beats a missing type", line: Array(#"{"protocol":1,}"#.utf8), code: .badJSON),
        .init(what: "two JSON values", line: Array(#"{"type":"bye"} {}"#.utf8), code: .badJSON),
        .init(what: "an empty line", line: [], code: .badJSON),
        .init(what: "a trailing \\r inside the line is whitespace", line: Array("{\"type\":\"bye\"}\r".utf8), code: .internal),
        .init(what: "not an object", line: Array("[1,2]".utf8), code: .notAnObject),
        .init(what: "a number is not an object", line: Array("1.5".utf8), code: .notAnObject),
        .init(what: "missing type beats bad fields", line: Array(#"{"cursor":1.5}"#.utf8), code: .missingType),
        .init(what: "a type that is not a string", line: Array(#"{"type":7,"cursor":0}"#.utf8), code: .missingType),
        .init(what: "a null type", line: Array(#"{"type":null}"#.utf8), code: .missingType),
        .init(what: "unknown type beats bad fields", line: Array(#"{"type":"dance","cursor":1.5}"#.utf8), code: .unknownType),
        .init(what: "a hub message type from a node is unknown", line: Array(#"{"type":"welcome"}"#.utf8), code: .unknownType),
        .init(what: "the first bad field in field order wins", line: Array(#"{"type":"pull","limit":"x","cursor":1.5}"#.utf8),
              code: .badField, message: "wrong type at cursor: expected an integer within 64 bits"),
        .init(what: "batch before changes", line: Array(#"{"type":"push","changes":[{"seq":1.5}],"batch":"1"}"#.utf8),
              code: .badField, message: "wrong type at batch: expected an integer within 64 bits"),
        .init(what: "within a change: node, then seq, before hlc",
              line: Array(#"{"type":"push","batch":1,"changes":[{"seq":1.5,"node":"beizhao"}]}"#.utf8),
              code: .badField, message: "wrong type at changes.0.seq: expected an integer within 64 bits"),
        .init(what: "hello fields are read before its version is judged",
              line: Array(#"{"type":"hello","protocol":2,"node":"b","client":"c","hub":"","epoch":"","cursor":0.5}"#.utf8),
              code: .badField, message: "wrong type at cursor: expected an integer within 64 bits"),
    ]

    @Test(arguments: precedence)
    func whichErrorWins(_ c: PrecedenceCase) {
        do {
            let m = try Codec.decodeClient(c.line)
            #expect(c.code == .internal, "decoded \(m.type), expected \(c.code.rawValue)")
        } catch {
            #expect(error.code == c.code, "\(error)")
            if let message = c.message { #expect(error.message == message) }
        }
    }

    // MARK: The fast path and the general path agree

    static func variants() -> [String] {
        var out: [String] = []
        let c = change()
        let changes = [
            c,
            c.replacingOccurrences(of: #","author":"clerk""#, with: ""),
            c.replacingOccurrences(of: #","author":"clerk""#, with: #","author":null"#),
            c.replacingOccurrences(of: #","row_base":0"#, with: ""),
            c.replacingOccurrences(of: #","row_base":0"#, with: #","row_base":null"#),
            c.replacingOccurrences(of: #""bases":{"address":0}"#, with: #""bases":null"#),
            c.replacingOccurrences(of: #""values":{"address":"北赵","village":"beizhao"}"#, with: #""values":{"address":null,"n":-5}"#),
            c.replacingOccurrences(of: #""op":"put""#, with: #""op":"delete""#),
            c.replacingOccurrences(of: #""epoch":"""#, with: #""epoch":7"#),
            c.replacingOccurrences(of: #""hlc":"\#(hlc)""#, with: #""hlc":"nope""#),
            change(seq: "2.0"), change(value: "1.5"), change(value: "true"), change(base: "\"0\""),
        ]
        for x in changes {
            out.append(#"{"type":"push","batch":3,"changes":[\#(x)]}"#)
        }
        out.append(#"{"type":"push","batch":3,"changes":[]}"#)
        out.append(#"{"type":"push","batch":3,"changes":{}}"#)
        let r = rowState()
        let rows = [
            r,
            r.replacingOccurrences(of: #""hseq":4"#, with: #""hseq":4,"deleted":true,"merged_into":"\#(row)""#),
            r.replacingOccurrences(of: #""hseq":4"#, with: #""hseq":4,"deleted":null,"merged_into":null"#),
            r.replacingOccurrences(of: #""hseq":4"#, with: #""hseq":4,"deleted":1"#),
            r.replacingOccurrences(of: #""versions":{"address":4},"#, with: ""),
            rowState(version: "4.0"),
        ]
        for x in rows {
            out.append(#"{"type":"rows","rows":[\#(x)]}"#)
            out.append(#"{"type":"page","cursor":5,"head":6,"done":false,"clock":"\#(hlc)","items":[{"op":"put","row":\#(x)}]}"#)
        }
        out.append(#"{"type":"page","cursor":5,"head":6,"done":true,"clock":null,"items":[{"op":"leave","table":"t","id":"i","hseq":5}]}"#)
        out.append(#"{"type":"page","cursor":5,"head":6,"done":true,"items":[{"op":"move","table":"t","id":"i","hseq":5}]}"#)
        for results in [#"[{"seq":1,"status":"applied","hseq":7}]"#, #"[{"seq":1,"status":"conflict","hseq":7,"conflicts":[3,4]}]"#,
                        #"[{"seq":2,"status":"rejected","code":"out-of-scope","message":"row belongs to another village","resent":true}]"#,
                        #"[{"seq":2,"status":"parked","hseq":null,"conflicts":null,"code":null,"message":null,"resent":null}]"#,
                        #"[{"seq":2,"status":"lost"}]"#, #"[{"seq":2.0,"status":"applied"}]"#, #"[{"status":"applied"}]"#,
                        #"[{"seq":2,"status":"applied","conflicts":[1.5]}]"#, #"[{"seq":2,"status":"applied","resent":1}]"#, "[]", "{}"] {
            out.append(#"{"type":"ack","batch":4,"results":\#(results)}"#)
        }
        return out
    }

    @Test func fastAndGeneralPathsAgree() throws {
        var fast = 0
        for line in Self.variants() {
            let value = try Codec.parse(Array(line.utf8))
            let isHub = value["type"]?.string != "push"
            if isHub {
                let general = Result { () throws(ProtocolError) in try Codec.decode(HubEnvelope.self, value).message }
                if let quick = FastCodec.decodeHub(value) {
                    fast += 1
                    #expect(try general.get() == quick, "\(line)")
                }
                if case .failure = general { #expect(FastCodec.decodeHub(value) == nil, "fast path took a refused line: \(line)") }
            } else {
                let general = Result { () throws(ProtocolError) in try Codec.decode(ClientEnvelope.self, value).message }
                if let quick = FastCodec.decodeClient(value) {
                    fast += 1
                    #expect(try general.get() == quick, "\(line)")
                }
                if case .failure = general { #expect(FastCodec.decodeClient(value) == nil, "fast path took a refused line: \(line)") }
            }
        }
        #expect(fast >= 10)
    }

    @Test("an ack written by the fast path is byte for byte what the Codable path writes")
    func ackEncodingsAgree() throws {
        let results = [
            ChangeResult(seq: 1, status: .applied, hseq: 7),
            ChangeResult(seq: 2, status: .conflict, hseq: 8, conflicts: [3, 4]),
            ChangeResult(seq: 3, status: .rejected, code: "forbidden-character", message: "含有不可见字符 \"U+200B\"\\", resent: true),
            ChangeResult(seq: 4, status: .parked),
        ]
        for m in [HubMessage.ack(batch: 9, results: results), .ack(batch: 1, results: [])] {
            let fast = try #require(FastCodec.encode(m))
            #expect(fast == Codec.line(HubEnvelope(m)), "\(String(decoding: fast, as: UTF8.self))")
            #expect(try Codec.decodeHub(Array(fast.dropLast())) == m)
        }
    }

    @Test func errorCarriesExpectedSeqAndUnknownCodesReadAsInternal() throws {
        let m = HubMessage.error(code: .seqGap, message: "push again from seq 4", fatal: false, retryAfter: nil, expectedSeq: 4)
        let line = Codec.encode(m)
        #expect(String(decoding: line, as: UTF8.self).contains(#""expected_seq":4"#))
        #expect(try Codec.decodeHub(Array(line.dropLast())) == m)
        let newer = #"{"type":"error","code":"brand-new","message":"m","fatal":true}"#
        #expect(try Codec.decodeHub(Array(newer.utf8)) == .error(code: .internal, message: "brand-new: m", fatal: true, retryAfter: nil,
                                                                 expectedSeq: nil))
    }

    @Test func onlyResyncRequiredAndSeqGapAreNotFatal() {
        #expect(ErrorCode.allCases.filter { !$0.isFatal } == [.resyncRequired, .seqGap])
    }
}
