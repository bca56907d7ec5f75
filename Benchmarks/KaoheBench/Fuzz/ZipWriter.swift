import Foundation
import ZIPFoundation

/// A minimal ZIP writer for the fuzzer: entries stored or deflated, with sizes, CRCs, attributes
/// and extra fields as the caller says — honest or not — so that the reader sees what a hostile
/// upload can contain. Writes into one reused buffer.
struct ZipWriter {
    struct Entry {
        var name: [UInt8]
        /// 0 stored, 8 deflate (anything else: an unsupported method)
        var method: UInt16 = 0
        var crc: UInt32 = 0
        var compressedSize: UInt32 = 0
        var uncompressedSize: UInt32 = 0
        /// Unix mode in the upper 16 bits (0o100644 a regular file, 0o120777 a symlink).
        var externalAttributes: UInt32 = 0o100644 << 16
        /// Upper byte 3: made on Unix (the mode above is read).
        var versionMadeBy: UInt16 = 0x031E
        /// Bit 11: UTF-8 names.
        var flags: UInt16 = 0x0800
        var extra: [UInt8] = []
    }

    private(set) var bytes: [UInt8] = []
    private var central: [UInt8] = []
    private var count = 0

    /// 2026-01-01 in MS-DOS date format.
    static let dosDate: UInt16 = (46 << 9) | (1 << 5) | 1

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        central.removeAll(keepingCapacity: true)
        count = 0
    }

    /// An entry with `payload` as its (already compressed or stored) data.
    mutating func add(_ e: Entry, payload: [UInt8]) {
        let offset = UInt32(truncatingIfNeeded: bytes.count)
        let nameLength = UInt16(truncatingIfNeeded: e.name.count), extraLength = UInt16(truncatingIfNeeded: e.extra.count)
        Self.u32(&bytes, 0x0403_4B50)
        Self.u16(&bytes, 20); Self.u16(&bytes, e.flags); Self.u16(&bytes, e.method)
        Self.u16(&bytes, 0); Self.u16(&bytes, Self.dosDate)
        Self.u32(&bytes, e.crc); Self.u32(&bytes, e.compressedSize); Self.u32(&bytes, e.uncompressedSize)
        Self.u16(&bytes, nameLength); Self.u16(&bytes, extraLength)
        bytes.append(contentsOf: e.name); bytes.append(contentsOf: e.extra)
        bytes.append(contentsOf: payload)

        Self.u32(&central, 0x0201_4B50)
        Self.u16(&central, e.versionMadeBy); Self.u16(&central, 20); Self.u16(&central, e.flags); Self.u16(&central, e.method)
        Self.u16(&central, 0); Self.u16(&central, Self.dosDate)
        Self.u32(&central, e.crc); Self.u32(&central, e.compressedSize); Self.u32(&central, e.uncompressedSize)
        Self.u16(&central, nameLength); Self.u16(&central, extraLength); Self.u16(&central, 0)
        Self.u16(&central, 0); Self.u16(&central, 0)
        Self.u32(&central, e.externalAttributes); Self.u32(&central, offset)
        central.append(contentsOf: e.name); central.append(contentsOf: e.extra)
        count += 1
    }

    /// A stored entry with honest sizes and CRC.
    mutating func addStored(_ name: String, _ data: [UInt8]) {
        let n = UInt32(truncatingIfNeeded: data.count)
        add(Entry(name: Array(name.utf8), method: 0, crc: FuzzCRC32.checksum(data), compressedSize: n, uncompressedSize: n), payload: data)
    }

    /// A deflated entry with honest sizes and CRC (stored when deflate fails).
    mutating func addDeflated(_ name: String, _ data: [UInt8]) {
        guard let z = Self.deflate(data) else { return addStored(name, data) }
        add(Entry(name: Array(name.utf8), method: 8, crc: FuzzCRC32.checksum(data), compressedSize: UInt32(truncatingIfNeeded: z.count),
                  uncompressedSize: UInt32(truncatingIfNeeded: data.count)), payload: z)
    }

    /// Appends the central directory and its end record; `bytes` is then the archive.
    mutating func finish() {
        let cdOffset = UInt32(truncatingIfNeeded: bytes.count)
        bytes.append(contentsOf: central)
        Self.u32(&bytes, 0x0605_4B50)
        Self.u16(&bytes, 0); Self.u16(&bytes, 0)
        Self.u16(&bytes, UInt16(truncatingIfNeeded: count)); Self.u16(&bytes, UInt16(truncatingIfNeeded: count))
        Self.u32(&bytes, UInt32(truncatingIfNeeded: central.count)); Self.u32(&bytes, cdOffset)
        Self.u16(&bytes, 0)
    }

    /// A ZIP64 extended-information extra field declaring these 64-bit sizes (the 32-bit fields
    /// must then hold 0xFFFFFFFF).
    static func zip64Extra(uncompressed: UInt64, compressed: UInt64) -> [UInt8] {
        var e: [UInt8] = []
        u16(&e, 0x0001); u16(&e, 16)
        u64(&e, uncompressed); u64(&e, compressed)
        return e
    }

    static func u16(_ b: inout [UInt8], _ v: UInt16) { b.append(UInt8(v & 0xFF)); b.append(UInt8(v >> 8)) }
    static func u32(_ b: inout [UInt8], _ v: UInt32) { for k in 0..<4 { b.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) } }
    static func u64(_ b: inout [UInt8], _ v: UInt64) { for k in 0..<8 { b.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) } }

    /// Raw deflate (as ZIP stores it) through ZIPFoundation.
    static func deflate(_ input: [UInt8]) -> [UInt8]? {
        let data = Data(input)
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 2 + 64)
        do {
            _ = try Data.compress(size: Int64(data.count), bufferSize: 1 << 16, provider: { position, size in
                let start = Int(position)
                return data.subdata(in: start..<(start + size))
            }, consumer: { chunk in out.append(contentsOf: chunk) })
        } catch { return nil }
        return out
    }

    /// `spaces` bytes of ASCII spaces followed by `tail`, deflated: about a thousand to one.
    static func bomb(spaces: Int, tail: [UInt8]) -> (compressed: [UInt8], crc: UInt32, size: Int)? {
        let chunk = Data(repeating: 0x20, count: 1 << 20)
        let total = spaces + tail.count
        var out: [UInt8] = []
        do {
            let crc = try Data.compress(size: Int64(total), bufferSize: 1 << 20, provider: { position, size in
                let lo = Int(position), hi = lo + size
                if hi <= spaces { return chunk.prefix(size) }
                var d = Data(capacity: size)
                if lo < spaces { d.append(chunk.prefix(spaces - lo)) }
                let ts = Swift.max(lo, spaces) - spaces, te = hi - spaces
                if te > ts { d.append(contentsOf: tail[ts..<te]) }
                return d
            }, consumer: { c in out.append(contentsOf: c) })
            return (out, crc, total)
        } catch { return nil }
    }
}

/// CRC-32 (IEEE), as ZIP checks it.
enum FuzzCRC32 {
    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ b: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { t in
            b.withUnsafeBufferPointer { p in
                for x in p { c = t[Int((c ^ UInt32(x)) & 0xFF)] ^ (c >> 8) }
            }
        }
        return c ^ 0xFFFF_FFFF
    }
}
