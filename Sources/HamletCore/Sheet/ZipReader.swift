/// A ZIP archive read from memory: the central directory, and entries unpacked on demand.
///
/// Enough of APPNOTE 6.3 for spreadsheets: stored (0) and deflated (8) entries, data
/// descriptors (sizes come from the central directory), ZIP64 sizes and offsets, UTF-8
/// or CP437 names (names are compared as bytes, so only ASCII names matter here).
/// Everything is bounded by `SheetLimits`: the entry count, each entry's unpacked size
/// (refused from the header before any work, and again while inflating in case the
/// header lies), and the total unpacked by one reader. Encrypted entries and other
/// methods are refused. Every entry read is checked against its CRC-32.
package struct ZipReader {
    /// One member of the archive, as the central directory describes it.
    package struct Entry: Sendable, Equatable {
        /// The path inside the archive (`xl/workbook.xml`).
        package var name: String
        /// 0 stored, 8 deflated.
        package var method: UInt16
        /// General-purpose flags (bit 0: encrypted).
        package var flags: UInt16
        /// The CRC-32 of the unpacked bytes.
        package var crc32: UInt32
        /// Bytes in the archive.
        package var compressedSize: Int
        /// Bytes once unpacked.
        package var uncompressedSize: Int
        /// Where the entry's local header starts.
        package var localHeaderOffset: Int
    }

    /// The archive's bytes.
    let bytes: [UInt8]
    /// The bounds applied to every read.
    package let limits: SheetLimits
    /// The entries in central-directory order.
    package private(set) var entries: [Entry] = []
    /// Bytes unpacked so far by `data(of:)`, against `limits.maxTotalBytes`.
    private var unpacked = 0

    /// Reads the central directory.
    /// - Parameters:
    ///   - bytes: the whole archive.
    ///   - limits: the caps on entries and sizes.
    /// - Throws: `CSVError` with `damaged-file` (no end record, a directory out of bounds) or
    ///   `zip-bomb` (more entries than `limits.maxEntries`).
    package init(bytes: [UInt8], limits: SheetLimits = SheetLimits()) throws(CSVError) {
        self.bytes = bytes
        self.limits = limits
        guard let eocd = findEndRecord() else { throw ZipReader.damaged("no ZIP end-of-directory record") }
        var count = u16(eocd + 10)
        var size = Int(u32(eocd + 12))
        var offset = Int(u32(eocd + 16))
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            // ZIP64: the locator sits just before the end record and points at the ZIP64 end record.
            let locator = eocd - 20
            guard locator >= 0, u32(locator) == 0x0706_4B50 else { throw ZipReader.damaged("a ZIP64 archive without its locator") }
            let end64 = Int(clamping: u64(locator + 8))
            guard end64 >= 0, end64 + 56 <= bytes.count, u32(end64) == 0x0606_4B50 else {
                throw ZipReader.damaged("the ZIP64 end record is out of bounds")
            }
            count = Int(clamping: u64(end64 + 32))
            size = Int(clamping: u64(end64 + 40))
            offset = Int(clamping: u64(end64 + 48))
        }
        guard count <= limits.maxEntries else {
            throw CSVError(.zipBomb, line: 0,
                           message: "the file holds \(count) parts, more than the \(limits.maxEntries) a spreadsheet needs; it is not a register",
                           zh: "文件里有 \(count) 个部件，超过电子表格所需的 \(limits.maxEntries) 个，不是登记表")
        }
        guard offset >= 0, size >= 0, offset <= bytes.count, size <= bytes.count - offset else {
            throw ZipReader.damaged("the central directory is out of bounds")
        }
        var p = offset
        entries.reserveCapacity(count)
        for _ in 0..<count {
            guard p + 46 <= offset + size, u32(p) == 0x0201_4B50 else { throw ZipReader.damaged("a central directory entry is broken") }
            let nameLength = u16(p + 28), extraLength = u16(p + 30), commentLength = u16(p + 32)
            let end = p + 46 + nameLength + extraLength + commentLength
            guard end <= offset + size else { throw ZipReader.damaged("a central directory entry runs past the directory") }
            var entry = Entry(name: String(decoding: bytes[p + 46..<p + 46 + nameLength], as: UTF8.self),
                              method: UInt16(u16(p + 10)), flags: UInt16(u16(p + 8)), crc32: u32(p + 16),
                              compressedSize: Int(u32(p + 20)), uncompressedSize: Int(u32(p + 24)),
                              localHeaderOffset: Int(u32(p + 42)))
            try readZip64Extra(&entry, from: p + 46 + nameLength, length: extraLength)
            entries.append(entry)
            p = end
        }
    }

    /// The entry with this exact name, if any.
    /// - Parameter name: the path inside the archive.
    /// - Returns: the entry, or nil.
    package func entry(named name: String) -> Entry? {
        entries.first { $0.name == name }
    }

    /// Unpacks one entry and checks its CRC-32.
    /// - Parameter entry: an entry of this archive.
    /// - Returns: its bytes.
    /// - Throws: `CSVError` with `zip-bomb` (the entry, or everything unpacked so far, is over the limits),
    ///   `encrypted-file`, or `damaged-file` (an unknown method, a broken stream, a checksum mismatch).
    package mutating func data(of entry: Entry) throws(CSVError) -> [UInt8] {
        guard entry.flags & 1 == 0 else {
            throw CSVError(.encryptedFile, line: 0, message: "the workbook is password-protected; save a copy without a password and try again",
                           zh: "工作簿设置了密码，请另存一份不带密码的文件后重试")
        }
        let cap = min(limits.maxEntryBytes, limits.maxTotalBytes - unpacked)
        guard entry.uncompressedSize <= cap else { throw ZipReader.bomb(limits) }
        let h = entry.localHeaderOffset
        guard h >= 0, h + 30 <= bytes.count, u32(h) == 0x0403_4B50 else { throw ZipReader.damaged("a local header is missing") }
        let start = h + 30 + u16(h + 26) + u16(h + 28)
        guard entry.compressedSize >= 0, start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw ZipReader.damaged("an entry runs past the end of the file")
        }
        let packed = Array(bytes[start..<start + entry.compressedSize])
        let out: [UInt8]
        switch entry.method {
        case 0:
            out = packed
        case 8:
            do {
                out = try Inflate.inflate(packed, limit: cap, expectedSize: entry.uncompressedSize)
            } catch .tooLarge {
                throw ZipReader.bomb(limits)
            } catch {
                throw ZipReader.damaged("a compressed part is broken")
            }
        default:
            throw ZipReader.damaged("a part uses compression method \(entry.method), which is not supported")
        }
        guard out.count == entry.uncompressedSize, CRC32.checksum(out) == entry.crc32 else {
            throw ZipReader.damaged("a part fails its checksum")
        }
        unpacked += out.count
        return out
    }

    // MARK: - Parsing helpers

    /// The offset of the end-of-central-directory record, searching back over a comment of up to 64 KiB.
    private func findEndRecord() -> Int? {
        guard bytes.count >= 22 else { return nil }
        var p = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        while p >= lowest {
            if bytes[p] == 0x50, bytes[p + 1] == 0x4B, bytes[p + 2] == 0x05, bytes[p + 3] == 0x06 { return p }
            p -= 1
        }
        return nil
    }

    /// Replaces the sizes and offset saturated at 0xFFFFFFFF with the ZIP64 extra field's values.
    private func readZip64Extra(_ e: inout Entry, from start: Int, length: Int) throws(CSVError) {
        var p = start
        while p + 4 <= start + length {
            let id = u16(p), size = u16(p + 2)
            guard p + 4 + size <= start + length else { throw ZipReader.damaged("an extra field runs past its entry") }
            if id == 1 {
                var q = p + 4
                func next() throws(CSVError) -> Int {
                    guard q + 8 <= p + 4 + size else { throw ZipReader.damaged("a ZIP64 field is too short") }
                    defer { q += 8 }
                    return Int(clamping: u64(q))
                }
                if e.uncompressedSize == 0xFFFF_FFFF { e.uncompressedSize = try next() }
                if e.compressedSize == 0xFFFF_FFFF { e.compressedSize = try next() }
                if e.localHeaderOffset == 0xFFFF_FFFF { e.localHeaderOffset = try next() }
            }
            p += 4 + size
        }
    }

    private func u16(_ p: Int) -> Int { Int(bytes[p]) | Int(bytes[p + 1]) << 8 }
    private func u32(_ p: Int) -> UInt32 { UInt32(u16(p)) | UInt32(u16(p + 2)) << 16 }
    private func u64(_ p: Int) -> UInt64 { UInt64(u32(p)) | UInt64(u32(p + 4)) << 32 }

    static func damaged(_ what: String) -> CSVError {
        CSVError(.damagedFile, line: 0, message: "the xlsx file is damaged (\(what)); open it in the spreadsheet program, save it again and retry",
                 zh: "xlsx 文件已损坏，请用电子表格软件打开后重新保存，再导入")
    }

    static func bomb(_ limits: SheetLimits) -> CSVError {
        CSVError(.zipBomb, line: 0,
                 message: "the xlsx file unpacks to more than \(limits.maxEntryBytes / 1_048_576) MiB per part or \(limits.maxTotalBytes / 1_048_576) MiB in all; it is refused (a zip bomb, or far too large for a register)",
                 zh: "xlsx 文件解压后超过每个部件 \(limits.maxEntryBytes / 1_048_576) MiB 或总计 \(limits.maxTotalBytes / 1_048_576) MiB 的上限，已拒绝（可能是压缩炸弹，或远大于一个登记表）")
    }
}
