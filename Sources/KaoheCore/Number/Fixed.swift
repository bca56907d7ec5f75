import Foundation

/// An exact decimal number with six fractional digits, stored as a scaled `Int64`.
///
/// Points, rates and metric values are computed in `Fixed` so that a value written as `30` or
/// computed as `18 / 60 × 100` compares *exactly* equal to a band boundary of `30` (R-001-10),
/// which binary floating point cannot promise. Division rounds half away from zero at the sixth
/// decimal. Money is carried in `Decimal` (see `Money`); conversion from `Fixed` is exact.
public struct Fixed: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let scale: Int64 = 1_000_000
    public static let digits = 6
    /// The value × 10⁶.
    public var raw: Int64

    @inlinable public init(raw: Int64) { self.raw = raw }
    @inlinable public init(_ int: Int) { self.raw = Int64(int) * Fixed.scale }

    public static let zero = Fixed(raw: 0)
    public static let one = Fixed(raw: scale)
    public static let hundred = Fixed(raw: 100 * scale)

    /// Largest magnitude accepted from text (about 9.2 × 10¹²).
    public static let maxMagnitude = Int64.max / scale

    // The operators never wrap: past ±9.2 × 10¹² they stop at the largest magnitude. The
    // expression evaluators use the checked forms below and report an overflow as a flag on the
    // sheet (issue 13: orders = 9e12 once gave a conversion rate of −3,890,459,611,768 %).
    @inlinable public static func + (a: Fixed, b: Fixed) -> Fixed { adding(a, b) ?? saturated(a.raw < 0 && b.raw < 0) }
    @inlinable public static func - (a: Fixed, b: Fixed) -> Fixed { subtracting(a, b) ?? saturated(a.raw < 0) }
    @inlinable public static prefix func - (a: Fixed) -> Fixed { a.raw == .min ? Fixed(raw: .max) : Fixed(raw: -a.raw) }
    @inlinable public static func += (a: inout Fixed, b: Fixed) { a = a + b }
    @inlinable public static func -= (a: inout Fixed, b: Fixed) { a = a - b }
    @inlinable public static func < (a: Fixed, b: Fixed) -> Bool { a.raw < b.raw }

    @inlinable public static func * (a: Fixed, b: Fixed) -> Fixed {
        multiplying(a, b) ?? saturated((a.raw < 0) != (b.raw < 0))
    }

    /// Division; `nil` when the divisor is zero (R-001-12: a zero denominator is reported).
    /// A quotient beyond the range stops at the largest magnitude (see `quotient` for the checked form).
    @inlinable public static func divide(_ a: Fixed, _ b: Fixed) -> Fixed? {
        if b.raw == 0 { return nil }
        return quotient(a, b) ?? saturated((a.raw < 0) != (b.raw < 0))
    }

    @inlinable static func saturated(_ negative: Bool) -> Fixed { Fixed(raw: negative ? -Int64.max : Int64.max) }

    // checked arithmetic: nil when the exact result does not fit
    @inlinable public static func adding(_ a: Fixed, _ b: Fixed) -> Fixed? {
        let (r, o) = a.raw.addingReportingOverflow(b.raw)
        return o || r == .min ? nil : Fixed(raw: r)
    }
    @inlinable public static func subtracting(_ a: Fixed, _ b: Fixed) -> Fixed? {
        let (r, o) = a.raw.subtractingReportingOverflow(b.raw)
        return o || r == .min ? nil : Fixed(raw: r)
    }
    @inlinable public static func multiplying(_ a: Fixed, _ b: Fixed) -> Fixed? {
        narrow(roundedDivide(Int128(a.raw) * Int128(b.raw), Int128(scale)))
    }
    /// nil when the divisor is zero or the quotient does not fit.
    @inlinable public static func quotient(_ a: Fixed, _ b: Fixed) -> Fixed? {
        if b.raw == 0 { return nil }
        return narrow(roundedDivide(Int128(a.raw) * Int128(scale), Int128(b.raw)))
    }
    @inlinable static func narrow(_ v: Int128) -> Fixed? {
        v > Int128(Int64.max) || v < -Int128(Int64.max) ? nil : Fixed(raw: Int64(v))
    }

    @inlinable static func roundedDivide(_ n: Int128, _ d: Int128) -> Int128 {
        let q = n / d, r = n % d
        if r == 0 { return q }
        // half away from zero
        let twice = (r < 0 ? -r : r) * 2
        let ad = d < 0 ? -d : d
        if twice >= ad { return (n < 0) != (d < 0) ? q - 1 : q + 1 }
        return q
    }

    @inlinable public static func * (a: Fixed, b: Int) -> Fixed {
        narrow(Int128(a.raw) * Int128(b)) ?? saturated((a.raw < 0) != (b < 0))
    }

    public var isInteger: Bool { raw % Fixed.scale == 0 }
    public var intValue: Int { Int(raw / Fixed.scale) }
    public var abs: Fixed { raw < 0 ? -self : self }

    /// Largest whole number ≤ self.
    public var floored: Fixed {
        let q = raw / Fixed.scale, r = raw % Fixed.scale
        return Fixed.narrow(Int128(r < 0 ? q - 1 : q) * Int128(Fixed.scale)) ?? self
    }

    /// Rounded half-up (away from zero) to `places` decimals — the display rule of DESIGN.md.
    public func rounded(_ places: Int) -> Fixed {
        precondition(places >= 0 && places <= Fixed.digits)
        var unit: Int64 = 1
        for _ in 0..<(Fixed.digits - places) { unit *= 10 }
        let q = Int128(raw), u = Int128(unit)
        return Fixed.narrow(Fixed.roundedDivide(q, u) * u) ?? self
    }

    public var decimal: Decimal {
        Decimal(sign: raw < 0 ? .minus : .plus, exponent: -Fixed.digits,
                significand: Decimal(UInt64(raw.magnitude)))
    }

    public var double: Double { Double(raw) / Double(Fixed.scale) }

    /// Exact text without trailing zeros: `30`, `2.5`, `-0.333333`.
    public var description: String { format(maxFraction: Fixed.digits) }

    /// Text rounded half-up to at most `maxFraction` decimals, trailing zeros removed.
    public func format(maxFraction: Int = 2) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        appendFormatted(to: &bytes, maxFraction: maxFraction)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the value, rounded to `maxFraction` decimals, into a byte buffer (fast path for
    /// the JSON/CSV writers).
    public func appendFormatted(to out: inout [UInt8], maxFraction: Int = 2, fixedFraction: Bool = false, grouped: Bool) {
        let start = out.count
        appendFormatted(to: &out, maxFraction: maxFraction, fixedFraction: fixedFraction)
        if grouped { Fixed.groupThousands(&out, from: start) }
    }

    /// Puts thousands separators into the integer digits written from `start`: `257545.85` →
    /// `257,545.85` (money as a person reads it, issue 17 §3).
    public static func groupThousands(_ out: inout [UInt8], from start: Int) {
        var i = start
        if i < out.count && out[i] == UInt8(ascii: "-") { i += 1 }
        var end = i
        while end < out.count && out[end] >= 48 && out[end] <= 57 { end += 1 }
        var pos = end - 3
        while pos > i { out.insert(UInt8(ascii: ","), at: pos); pos -= 3 }
    }

    public func appendFormatted(to out: inout [UInt8], maxFraction: Int = 2, fixedFraction: Bool = false) {
        let places = Swift.min(Swift.max(maxFraction, 0), Fixed.digits)
        let v: Fixed
        if places == 2 && raw.magnitude < UInt64(Int64.max / 2) {
            // half away from zero at the second decimal, in Int64
            let q = (Int64(raw.magnitude) + 5_000) / 10_000 * 10_000
            v = Fixed(raw: raw < 0 ? -q : q)
        } else {
            v = places >= Fixed.digits ? self : rounded(places)
        }
        var m = v.raw.magnitude
        if v.raw < 0 { out.append(UInt8(ascii: "-")) }
        let ip = m / UInt64(Fixed.scale)
        m %= UInt64(Fixed.scale)
        appendUInt(ip, to: &out)
        // keep the first `places` of the six fractional digits
        var div: UInt64 = 1
        for _ in 0..<(Fixed.digits - places) { div *= 10 }
        var frac = m / div
        var n = places
        if !fixedFraction { while n > 0 && frac % 10 == 0 { frac /= 10; n -= 1 } }
        guard n > 0 else { return }
        out.append(UInt8(ascii: "."))
        var p: UInt64 = 1
        for _ in 1..<n { p *= 10 }
        while p > 0 { out.append(UInt8(frac / p % 10) + 48); p /= 10 }
    }

    /// Parses `12`, `-3.5`, `+0.25`, `1e3`, `1,234.5` (thousands separators), `35%` (read as 35).
    /// Returns nil for anything else. More than six decimals are rounded half-up.
    public init?(_ text: String) {
        var s = text
        guard let v = s.withUTF8({ Fixed.parse($0) }) else { return nil }
        self = v
    }

    public static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Fixed? {
        var i = 0, end = b.count
        while i < end && (b[i] == 32 || b[i] == 9) { i += 1 }
        while end > i && (b[end - 1] == 32 || b[end - 1] == 9) { end -= 1 }
        if end > i && b[end - 1] == UInt8(ascii: "%") { end -= 1 }
        guard i < end else { return nil }
        var neg = false
        if b[i] == UInt8(ascii: "-") { neg = true; i += 1 } else if b[i] == UInt8(ascii: "+") { i += 1 }
        var mant: Int128 = 0
        var digits = 0, fracDigits = 0, seenDot = false, exp = 0
        while i < end {
            let c = b[i]
            if c >= 48 && c <= 57 {
                if mant < Int128(Int64.max) { mant = mant * 10 + Int128(c - 48); if seenDot { fracDigits += 1 } }
                else if !seenDot { return nil }
                digits += 1
            } else if c == UInt8(ascii: ".") {
                if seenDot { return nil }
                seenDot = true
            } else if c == UInt8(ascii: ",") && !seenDot && digits > 0 {
                // thousands separator
            } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                i += 1
                var eneg = false
                if i < end && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) { eneg = b[i] == UInt8(ascii: "-"); i += 1 }
                guard i < end else { return nil }
                var e = 0
                while i < end { let d = b[i]; guard d >= 48 && d <= 57, e < 100 else { return nil }; e = e * 10 + Int(d - 48); i += 1 }
                exp = eneg ? -e : e
                break
            } else { return nil }
            i += 1
        }
        guard digits > 0 else { return nil }
        var shift = Fixed.digits - fracDigits + exp
        var value = mant
        while shift > 0 { value *= 10; shift -= 1; if value > Int128(Int64.max) { return nil } }
        if shift < 0 {
            var d: Int128 = 1
            while shift < 0 { d *= 10; shift += 1; if d > Int128(Int64.max) { return Fixed.zero } }
            value = roundedDivide(value, d)
        }
        guard value <= Int128(Int64.max) else { return nil }
        return Fixed(raw: neg ? -Int64(value) : Int64(value))
    }
}

@inlinable func appendUInt(_ v: UInt64, to out: inout [UInt8]) {
    if v < 10 { out.append(UInt8(v) + 48); return }
    var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
              UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var n = 0
    var x = v
    withUnsafeMutableBytes(of: &tmp) { p in
        while x > 0 { p[n] = UInt8(x % 10) + 48; x /= 10; n += 1 }
        for k in stride(from: n - 1, through: 0, by: -1) { out.append(p[k]) }
    }
}

extension Fixed: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
    /// Float literals are read through their shortest decimal text, so `0.3` is exactly 0.3.
    public init(floatLiteral value: Double) { self = Fixed("\(value)")! }
}

extension Fixed: Codable {
    /// Decodes from a YAML/JSON number or a numeric string, exactly (no binary round trip
    /// where the decoder offers the text).
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            guard let v = Fixed(s) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "“\(s)” is not a number")
            }
            self = v
            return
        }
        if let i = try? c.decode(Int64.self), i.magnitude <= UInt64(Fixed.maxMagnitude) {
            self.init(raw: i * Fixed.scale)
            return
        }
        let d = try c.decode(Double.self)
        guard d.isFinite, let v = Fixed("\(d)") else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "\(d) is out of range")
        }
        self = v
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if isInteger { try c.encode(Int64(raw / Fixed.scale)) } else { try c.encode(Double(description)!) }
    }
}

extension Decimal {
    /// Half-up rounding to `places` decimals (money is shown with two).
    public func rounded(_ places: Int) -> Decimal {
        var x = self, r = Decimal()
        NSDecimalRound(&r, &x, places, .plain)
        return r
    }

    public init(_ f: Fixed) { self = f.decimal }

    /// The exact value as `Fixed` when it has at most two decimals and fits (fast path for
    /// formatting money, which the engine keeps at cents); nil otherwise.
    public var centsFixed: Fixed? {
        guard exponent >= -2, !isNaN else { return nil }
        let dbl = NSDecimalNumber(decimal: self).doubleValue
        guard dbl.magnitude < 9e12 else { return nil }
        let cents = (dbl * 100).rounded()
        return Fixed(raw: Int64(cents) * (Fixed.scale / 100))
    }

    /// Writes the value rounded half-up to cents: `-100.00` (`fixedFraction`) or `-100`.
    public func appendYuan(to out: inout [UInt8], fixedFraction: Bool, grouped: Bool) {
        let start = out.count
        appendYuan(to: &out, fixedFraction: fixedFraction)
        if grouped { Fixed.groupThousands(&out, from: start) }
    }

    public func appendYuan(to out: inout [UInt8], fixedFraction: Bool) {
        if let f = centsFixed { f.appendFormatted(to: &out, maxFraction: 2, fixedFraction: fixedFraction); return }
        let r = rounded(2)
        if let f = r.centsFixed { f.appendFormatted(to: &out, maxFraction: 2, fixedFraction: fixedFraction); return }
        out.append(contentsOf: (fixedFraction ? r.slowYuan : "\(r)").utf8)
    }

    /// Money text with exactly two decimals: `-100.00`.
    public var yuan: String {
        var b: [UInt8] = []
        appendYuan(to: &b, fixedFraction: true)
        return String(decoding: b, as: UTF8.self)
    }

    /// The exact value as plain decimal text, with at least two decimals and no trailing zeros
    /// beyond them: `-120.00`, `350.50`, `0.125`, `12345678901234567890.01`. Written from
    /// Foundation's digit-by-digit text of the mantissa (plain notation, no exponent), never
    /// through `Double` and never rounded: the stored results' money (issue 14).
    public var exactText: String {
        var s = description
        guard !isNaN, s.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) else { return s }
        if let dot = s.firstIndex(of: ".") {
            var frac = s.distance(from: dot, to: s.endIndex) - 1
            while frac > 2 && s.last == "0" { s.removeLast(); frac -= 1 }
            if frac < 2 { s += String(repeating: "0", count: 2 - frac) }
        } else { s += ".00" }
        return s
    }

    var slowYuan: String {
        let r = rounded(2)
        var s = "\(r)"
        if let dot = s.firstIndex(of: ".") {
            let frac = s.distance(from: dot, to: s.endIndex) - 1
            if frac < 2 { s += String(repeating: "0", count: 2 - frac) }
        } else { s += ".00" }
        return s
    }
}
