/// A ZIP archive written to memory with stored (uncompressed) entries.
///
/// Enough of APPNOTE 6.3 for an xlsx file: each entry gets a local header with its
/// CRC-32 and sizes up front (no data descriptors), then the central directory and the
/// end record. Names are flagged UTF-8 (bit 11). Every entry carries the same
/// modification time, so the same input always gives the same bytes. No ZIP64: the
/// archive, each entry and the entry count must stay under 4 GiB and 65,535.
package struct ZipWriter {
    private var out: [UInt8] = []
    private var directory: [UInt8] = []
    private var count = 0
    /// MS-DOS time and date of every entry.
    private let dosTime: UInt16
    private let dosDate: UInt16

    /// Starts an empty archive.
    /// - Parameters:
    ///   - year: the entries' modification year (1980...2107); the default keeps output reproducible.
    ///   - month: 1...12.
    ///   - day: 1...31.
    package init(year: Int = 1980, month: Int = 1, day: Int = 1) {
        let y = min(max(year, 1980), 2107)
        dosDate = UInt16((y - 1980) << 9 | min(max(month, 1), 12) << 5 | min(max(day, 1), 31))
        dosTime = 0
    }

    /// Appends a stored entry.
    /// - Parameters:
    ///   - name: the path inside the archive, with `/` separators.
    ///   - data: the entry's bytes.
    package mutating func add(_ name: String, _ data: [UInt8]) {
        let nameBytes = Array(name.utf8)
        precondition(data.count < 0xFFFF_FFFF && nameBytes.count <= 0xFFFF && count < 0xFFFF,
                     "ZipWriter writes no ZIP64: entries, names and counts stay small")
        let crc = CRC32.checksum(data)
        let offset = out.count
        // Local file header.
        put32(&out, 0x0403_4B50)
        put16(&out, 20)                       // version needed: 2.0
        put16(&out, 1 << 11)                  // flags: UTF-8 names
        put16(&out, 0)                        // method: stored
        put16(&out, dosTime); put16(&out, dosDate)
        put32(&out, crc)
        put32(&out, UInt32(data.count)); put32(&out, UInt32(data.count))
        put16(&out, UInt16(nameBytes.count)); put16(&out, 0)
        out.append(contentsOf: nameBytes)
        out.append(contentsOf: data)
        // Central directory header.
        put32(&directory, 0x0201_4B50)
        put16(&directory, 0x031E)             // made by: Unix, spec 3.0
        put16(&directory, 20)
        put16(&directory, 1 << 11)
        put16(&directory, 0)
        put16(&directory, dosTime); put16(&directory, dosDate)
        put32(&directory, crc)
        put32(&directory, UInt32(data.count)); put32(&directory, UInt32(data.count))
        put16(&directory, UInt16(nameBytes.count))
        put16(&directory, 0); put16(&directory, 0)  // extra, comment
        put16(&directory, 0); put16(&directory, 0)  // disk, internal attributes
        put32(&directory, 0o100644 << 16)           // external attributes: a regular file, rw-r--r--
        put32(&directory, UInt32(offset))
        directory.append(contentsOf: nameBytes)
        count += 1
    }

    /// Finishes the archive.
    /// - Returns: the whole ZIP file.
    package func finished() -> [UInt8] {
        var result = out
        precondition(result.count + directory.count < 0xFFFF_FFFF, "ZipWriter writes no ZIP64")
        let directoryOffset = result.count
        result.append(contentsOf: directory)
        put32(&result, 0x0605_4B50)
        put16(&result, 0); put16(&result, 0)        // this disk, directory's disk
        put16(&result, UInt16(count)); put16(&result, UInt16(count))
        put32(&result, UInt32(directory.count))
        put32(&result, UInt32(directoryOffset))
        put16(&result, 0)                            // comment length
        return result
    }

    private func put16(_ b: inout [UInt8], _ v: UInt16) {
        b.append(UInt8(v & 0xFF)); b.append(UInt8(v >> 8))
    }

    private func put32(_ b: inout [UInt8], _ v: UInt32) {
        put16(&b, UInt16(v & 0xFFFF)); put16(&b, UInt16(v >> 16))
    }
}
