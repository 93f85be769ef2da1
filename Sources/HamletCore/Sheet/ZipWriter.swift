/// A ZIP archive written front to back through a sink, entry by entry, in bounded memory.
///
/// Enough of APPNOTE 6.3 for an xlsx file. Every entry is written the one way a stream allows: a local header
/// with flag bit 3 and zero CRC and sizes, the entry's bytes (deflated, or stored), then a data descriptor with
/// the CRC-32 and sizes, counted as the bytes went by; the central directory at the end repeats them, which is
/// where readers (Excel, LibreOffice, Python's `zipfile`, `ZipReader`) take them from. So an entry of any size
/// passes through without being held, and the sink needs no seeking (stdout, a socket). Names are flagged UTF-8
/// (bit 11). Every entry carries the same modification time, so the same input always gives the same bytes.
/// No ZIP64: the archive, each entry and the entry count must stay under 4 GiB and 65,535.
///
/// ```swift
/// var zip = ZipWriter { bytes in try file.write(bytes) }
/// try zip.add("[Content_Types].xml", types)
/// try zip.beginEntry("xl/worksheets/sheet1.xml")
/// for piece in pieces { try zip.write(piece) }
/// try zip.endEntry()
/// try zip.finish()
/// ```
package struct ZipWriter {
    /// The entry being written.
    private struct Open {
        var name: [UInt8]
        var offset: Int
        var deflater: Deflater?
        var crc: UInt32 = 0
        var size = 0
        var packedSize = 0
    }

    private let sink: ([UInt8]) throws -> Void
    private var written = 0
    private var directory: [UInt8] = []
    private var count = 0
    private var open: Open?
    /// MS-DOS time and date of every entry.
    private let dosTime: UInt16
    private let dosDate: UInt16
    private static let flags: UInt16 = 1 << 3 | 1 << 11  // sizes in a data descriptor; UTF-8 names

    /// Starts an archive; nothing is written until the first entry.
    /// - Parameters:
    ///   - year: the entries' modification year (1980...2107); the default keeps output reproducible.
    ///   - month: 1...12.
    ///   - day: 1...31.
    ///   - sink: receives the archive's bytes in order; a throw stops the writer and is rethrown.
    package init(year: Int = 1980, month: Int = 1, day: Int = 1, sink: @escaping ([UInt8]) throws -> Void) {
        let y = min(max(year, 1980), 2107)
        dosDate = UInt16((y - 1980) << 9 | min(max(month, 1), 12) << 5 | min(max(day, 1), 31))
        dosTime = 0
        self.sink = sink
    }

    /// Builds a whole archive in memory through the same writer.
    /// - Parameters:
    ///   - year: the entries' modification year.
    ///   - month: 1...12.
    ///   - day: 1...31.
    ///   - build: adds the entries (`finish` is called afterwards).
    /// - Returns: the ZIP file.
    package static func archive(year: Int = 1980, month: Int = 1, day: Int = 1,
                                _ build: (inout ZipWriter) throws -> Void) rethrows -> [UInt8] {
        let out = ByteCollector()
        var zip = ZipWriter(year: year, month: month, day: day) { out.bytes += $0 }
        try build(&zip)
        do { try zip.finish() } catch { preconditionFailure("an in-memory sink never throws") }
        return out.bytes
    }

    /// Writes a whole entry.
    /// - Parameters:
    ///   - name: the path inside the archive, with `/` separators.
    ///   - data: the entry's bytes.
    ///   - compressed: deflate them (method 8) rather than store them (method 0).
    /// - Throws: what the sink throws.
    package mutating func add(_ name: String, _ data: [UInt8], compressed: Bool = false) throws {
        try beginEntry(name, compressed: compressed)
        try write(data)
        try endEntry()
    }

    /// Starts an entry whose bytes follow through `write(_:)`; ends any entry still open.
    /// - Parameters:
    ///   - name: the path inside the archive.
    ///   - compressed: deflate (method 8) or store (method 0).
    /// - Throws: what the sink throws.
    package mutating func beginEntry(_ name: String, compressed: Bool = true) throws {
        if open != nil { try endEntry() }
        let nameBytes = Array(name.utf8)
        precondition(nameBytes.count <= 0xFFFF && count < 0xFFFF, "ZipWriter writes no ZIP64: names and counts stay small")
        let entry = Open(name: nameBytes, offset: written, deflater: compressed ? Deflater() : nil)
        var h: [UInt8] = []
        put32(&h, 0x0403_4B50)
        put16(&h, 20)                          // version needed: 2.0
        put16(&h, Self.flags)
        put16(&h, compressed ? 8 : 0)
        put16(&h, dosTime); put16(&h, dosDate)
        put32(&h, 0); put32(&h, 0); put32(&h, 0)  // CRC and sizes: in the data descriptor
        put16(&h, UInt16(nameBytes.count)); put16(&h, 0)
        h += nameBytes
        open = entry
        try emit(h)
    }

    /// Appends bytes to the open entry.
    /// - Parameter bytes: the next piece.
    /// - Throws: what the sink throws.
    package mutating func write(_ bytes: [UInt8]) throws {
        guard var entry = open else { preconditionFailure("ZipWriter.write needs beginEntry first") }
        open = nil  // the deflater's window is then uniquely held: no copy on write
        entry.crc = CRC32.update(entry.crc, bytes)
        entry.size += bytes.count
        let packed = entry.deflater == nil ? bytes : entry.deflater?.compress(bytes) ?? []
        entry.packedSize += packed.count
        precondition(entry.size < 0xFFFF_FFFF && entry.packedSize < 0xFFFF_FFFF, "ZipWriter writes no ZIP64")
        open = entry
        try emit(packed)
    }

    /// Ends the open entry: the deflate stream's end, then the data descriptor.
    /// - Throws: what the sink throws.
    package mutating func endEntry() throws {
        guard var entry = open else { return }
        open = nil
        let tail = entry.deflater?.finish() ?? []
        entry.packedSize += tail.count
        var d = tail
        put32(&d, 0x0807_4B50)
        put32(&d, entry.crc); put32(&d, UInt32(entry.packedSize)); put32(&d, UInt32(entry.size))
        try emit(d)
        put32(&directory, 0x0201_4B50)
        put16(&directory, 0x031E)             // made by: Unix, spec 3.0
        put16(&directory, 20)
        put16(&directory, Self.flags)
        put16(&directory, entry.deflater == nil ? 0 : 8)
        put16(&directory, dosTime); put16(&directory, dosDate)
        put32(&directory, entry.crc)
        put32(&directory, UInt32(entry.packedSize)); put32(&directory, UInt32(entry.size))
        put16(&directory, UInt16(entry.name.count))
        put16(&directory, 0); put16(&directory, 0)  // extra, comment
        put16(&directory, 0); put16(&directory, 0)  // disk, internal attributes
        put32(&directory, 0o100644 << 16)           // external attributes: a regular file, rw-r--r--
        put32(&directory, UInt32(entry.offset))
        directory += entry.name
        count += 1
    }

    /// Ends any open entry and writes the central directory and the end record.
    /// - Throws: what the sink throws.
    package mutating func finish() throws {
        try endEntry()
        precondition(written + directory.count < 0xFFFF_FFFF, "ZipWriter writes no ZIP64")
        var end = directory
        put32(&end, 0x0605_4B50)
        put16(&end, 0); put16(&end, 0)              // this disk, directory's disk
        put16(&end, UInt16(count)); put16(&end, UInt16(count))
        put32(&end, UInt32(directory.count))
        put32(&end, UInt32(written))
        put16(&end, 0)                              // comment length
        try emit(end)
    }

    private mutating func emit(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        written += bytes.count
        precondition(written < 0xFFFF_FFFF, "ZipWriter writes no ZIP64")
        try sink(bytes)
    }

    private func put16(_ b: inout [UInt8], _ v: UInt16) {
        b.append(UInt8(v & 0xFF)); b.append(UInt8(v >> 8))
    }

    private func put32(_ b: inout [UInt8], _ v: UInt32) {
        put16(&b, UInt16(v & 0xFFFF)); put16(&b, UInt16(v >> 16))
    }
}

/// Bytes gathered by an in-memory sink (a class, so the escaping sink closure can append to it).
package final class ByteCollector {
    /// Everything appended so far.
    package var bytes: [UInt8] = []
    /// Makes an empty collector.
    package init() {}
}
