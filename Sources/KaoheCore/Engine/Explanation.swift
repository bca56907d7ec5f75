import Foundation

/// Explanation text built straight into UTF-8 bytes. Interpolating a `Fixed` writes its digits
/// (rounded half-up to two decimals, the display rule) without creating intermediate strings,
/// so explaining a million items costs little more than computing them.
public struct Explanation: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public var bytes: [UInt8]

    public init() { bytes = [] }
    public init(stringLiteral value: String) { bytes = Array(value.utf8) }
    public init(_ text: String) { bytes = Array(text.utf8) }
    public init(stringInterpolation: Interpolation) { bytes = stringInterpolation.bytes }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public var description: String { text }
    public func contains(_ s: String) -> Bool { text.contains(s) }

    public static func + (a: Explanation, b: Explanation) -> Explanation {
        var r = a
        r.bytes.append(contentsOf: b.bytes)
        return r
    }
    public static func += (a: inout Explanation, b: Explanation) { a.bytes.append(contentsOf: b.bytes) }

    public struct Interpolation: StringInterpolationProtocol {
        var bytes: [UInt8]
        public init(literalCapacity: Int, interpolationCount: Int) {
            bytes = []
            bytes.reserveCapacity(literalCapacity * 2 + interpolationCount * 8)
        }
        public mutating func appendLiteral(_ s: String) { bytes.append(contentsOf: s.utf8) }
        public mutating func appendInterpolation(_ s: String) { bytes.append(contentsOf: s.utf8) }
        public mutating func appendInterpolation(_ e: Explanation) { bytes.append(contentsOf: e.bytes) }
        /// A number, rounded half-up to two decimals for display.
        public mutating func appendInterpolation(_ f: Fixed) { f.appendFormatted(to: &bytes, maxFraction: 2) }
        public mutating func appendInterpolation(_ i: Int) { bytes.append(contentsOf: String(i).utf8) }
        /// Yuan with two decimals.
        public mutating func appendInterpolation(yuan d: Decimal) { d.appendYuan(to: &bytes, fixedFraction: true, grouped: true) }
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
