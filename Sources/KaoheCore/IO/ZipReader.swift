import Foundation
import ZIPFoundation

/// Reads the parts of an uploaded ZIP (an XLSX workbook) from memory, for hostile files.
///
/// ZIPFoundation writes our workbooks, but reading a damaged one through it can trap (its
/// in-memory file seeks past the end and reads a negative range) or spin forever (a deflate
/// stream cut short asks its reader for more bytes, gets none and asks again) — both found by
/// `kaohe fuzz --target xlsx`. This reader walks the central directory itself, checks every
/// offset and size against the bytes it has, and inflates through ZIPFoundation's `decompress`
/// with a provider that refuses to read past the part: a short stream is an error, not a loop.
struct ZipReader {
    struct Entry {
        var name: String
        var method: UInt16
        var crc32: UInt32
        var packed: Int
        var unpacked: Int
        var localHeader: Int
    }

    enum Failure: Error { case notZip, damaged(String), tooLarge(String) }

    let data: Data
    private(set) var entries: [String: Entry] = [:]

    init(_ data: Data) throws(Failure) {
        self.data = data
        let n = data.count
        // the end-of-central-directory record: 22 bytes, within the last 64 KiB (its comment)
        guard n >= 22 else { throw .notZip }
        var eocd = -1
        var i = n - 22
        let stop = max(0, n - 22 - 65_535)
        while i >= stop {
            if u32(i) == 0x0605_4B50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw .notZip }
        let count = Int(u16(eocd + 10)), size = Int(u32(eocd + 12)), offset = Int(u32(eocd + 16))
        // ZIP64 (sizes of 0xFFFFFFFF) is never needed by a workbook under the upload limit
        guard offset >= 0, size >= 0, offset + size <= eocd, count <= 100_000 else { throw .damaged("central directory") }
        var p = offset
        for _ in 0..<count {
            guard p + 46 <= offset + size, u32(p) == 0x0201_4B50 else { throw .damaged("central directory") }
            let method = u16(p + 10), crc = u32(p + 16)
            let packed = Int(u32(p + 20)), unpacked = Int(u32(p + 24))
            let nameLength = Int(u16(p + 28)), extra = Int(u16(p + 30)), comment = Int(u16(p + 32))
            let local = Int(u32(p + 42))
            guard p + 46 + nameLength + extra + comment <= offset + size else { throw .damaged("central directory") }
            let name = String(decoding: data[data.startIndex + p + 46 ..< data.startIndex + p + 46 + nameLength], as: UTF8.self)
            if entries[name] == nil {
                entries[name] = Entry(name: name, method: method, crc32: crc, packed: packed, unpacked: unpacked, localHeader: local)
            }
            p += 46 + nameLength + extra + comment
        }
    }

    /// The part unpacked; `limit(bytesSoFar)` is asked as the bytes come out and stops it.
    func extract(_ e: Entry, tooLarge: (Int) -> Bool) throws(Failure) -> Data {
        let h = e.localHeader
        guard h >= 0, h + 30 <= data.count, u32(h) == 0x0403_4B50 else { throw .damaged(e.name) }
        let start = h + 30 + Int(u16(h + 26)) + Int(u16(h + 28))
        guard start <= data.count, e.packed >= 0, e.packed <= data.count - start else { throw .damaged(e.name) }
        if tooLarge(e.unpacked) { throw .tooLarge(e.name) }
        let base = data.startIndex + start
        switch e.method {
        case 0:
            guard e.packed == e.unpacked else { throw .damaged(e.name) }
            if tooLarge(e.packed) { throw .tooLarge(e.name) }
            let out = Data(data[base ..< base + e.packed])
            guard out.crc32(checksum: 0) == e.crc32 else { throw .damaged(e.name) }
            return out
        case 8:
            var out = Data()
            var over = false
            let packed = e.packed
            do {
                let crc = try Data.decompress(size: Int64(packed), bufferSize: 64 * 1024, skipCRC32: false, provider: { position, size in
                    let from = Int(position)
                    // asked past the part: the stream was cut short
                    guard from < packed else { throw CocoaError(.fileReadCorruptFile) }
                    // always `size` bytes: the inflater on Linux takes a whole buffer as input, so
                    // the tail is padded with zeros (an invalid block: a data error, never a read
                    // past the end)
                    var chunk = Data(data[base + from ..< base + min(from + size, packed)])
                    if chunk.count < size { chunk.append(Data(count: size - chunk.count)) }
                    return chunk
                }, consumer: { chunk in
                    if tooLarge(out.count + chunk.count) { over = true; throw CocoaError(.fileReadTooLarge) }
                    out.append(chunk)
                })
                guard crc == e.crc32 else { throw Failure.damaged(e.name) }
            } catch {
                if over { throw .tooLarge(e.name) }
                throw .damaged(e.name)
            }
            return out
        default:
            throw .damaged(e.name)
        }
    }

    private func u16(_ i: Int) -> UInt16 {
        let b = data.startIndex + i
        return UInt16(data[b]) | UInt16(data[b + 1]) << 8
    }

    private func u32(_ i: Int) -> UInt32 {
        let b = data.startIndex + i
        return UInt32(data[b]) | UInt32(data[b + 1]) << 8 | UInt32(data[b + 2]) << 16 | UInt32(data[b + 3]) << 24
    }
}
