import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Explanation text built straight into UTF-8 bytes. Interpolating a `Fixed` writes its digits
/// (rounded half-up to two decimals, the display rule) without creating intermediate strings,
/// so explaining a million items costs little more than computing them.
public struct Explanation: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public var bytes: [UInt8]

    public init() { bytes = [] }
    public init(stringLiteral value: String) { bytes = Words.muted ? [] : Array(value.utf8) }
    public init(_ text: String) { bytes = Words.muted ? [] : Array(text.utf8) }
    public init(stringInterpolation: Interpolation) { bytes = stringInterpolation.bytes }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public var description: String { text }
    public func contains(_ s: String) -> Bool { text.contains(s) }

    public static func + (a: Explanation, b: Explanation) -> Explanation {
        if Words.muted { return a }
        var r = a
        r.bytes.append(contentsOf: b.bytes)
        return r
    }
    public static func += (a: inout Explanation, b: Explanation) { if !Words.muted { a.bytes.append(contentsOf: b.bytes) } }

    /// Writes nothing while the thread's words are muted (`Words`): the values interpolated are
    /// then not even formatted.
    public struct Interpolation: StringInterpolationProtocol {
        var bytes: [UInt8]
        let muted: Bool
        public init(literalCapacity: Int, interpolationCount: Int) {
            bytes = []
            muted = Words.muted
            if !muted { bytes.reserveCapacity(literalCapacity * 2 + interpolationCount * 8) }
        }
        public mutating func appendLiteral(_ s: String) { if !muted { bytes.append(contentsOf: s.utf8) } }
        public mutating func appendInterpolation(_ s: String) { if !muted { bytes.append(contentsOf: s.utf8) } }
        public mutating func appendInterpolation(_ e: Explanation) { if !muted { bytes.append(contentsOf: e.bytes) } }
        /// A number, rounded half-up to two decimals for display.
        public mutating func appendInterpolation(_ f: Fixed) { if !muted { f.appendFormatted(to: &bytes, maxFraction: 2) } }
        public mutating func appendInterpolation(_ i: Int) { if !muted { bytes.append(contentsOf: String(i).utf8) } }
        /// Yuan with two decimals.
        public mutating func appendInterpolation(yuan d: Decimal) { if !muted { d.appendYuan(to: &bytes, fixedFraction: true, grouped: true) } }
    }
}

/// Whether the current thread writes explanation text (issue 19: numbers first, words when
/// printed). A writer that prints no words — the CSV of `kaohe score` — scores its rows muted:
/// every `Explanation` made on the thread meanwhile stays empty; the numbers are the same.
/// Per thread (the scoring workers each set their own), off unless `muting` is running.
public enum Words {
    static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    public static var muted: Bool { pthread_getspecific(key) != nil }

    /// Runs `body` with the thread's words muted (when `mute`), restoring them after.
    public static func muting<T>(_ mute: Bool, _ body: () throws -> T) rethrows -> T {
        guard mute, !muted else { return try body() }
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(key, nil) }
        return try body()
    }
}

/// A formula's explanation text split once into literal bytes and input slots, so that
/// explaining it for a row only appends bytes and the row's values (`订单数 18 ÷ 咨询总数 60 × 100`).
struct FormulaTemplate: Sendable {
    let chunks: [[UInt8]]
    let slots: [Int]

    init(_ e: Expr) {
        var out = Explanation()
        var cuts: [(offset: Int, slot: Int)] = []
        e.render(into: &out) { s, o in cuts.append((o.bytes.count, s)) }
        var chunks: [[UInt8]] = []
        var start = 0
        for c in cuts { chunks.append(Array(out.bytes[start..<c.offset])); start = c.offset }
        chunks.append(Array(out.bytes[start...]))
        self.chunks = chunks
        slots = cuts.map(\.slot)
    }

    func render(into x: inout Explanation, _ slot: (Int, inout Explanation) -> Void) {
        for (i, s) in slots.enumerated() {
            x.bytes.append(contentsOf: chunks[i])
            slot(s, &x)
        }
        x.bytes.append(contentsOf: chunks[slots.count])
    }
}
