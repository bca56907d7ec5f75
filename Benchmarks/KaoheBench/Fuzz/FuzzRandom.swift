// The fuzzer's randomness and byte-level mutations. Nothing here uses system randomness: an
// execution's input is a function of (run seed, target, iteration) and the seed corpus only, so
// `--seed S` reproduces a run and `--replay S:I` rebuilds one input without running the others.

/// SplitMix64 (Steele, Lea & Flood 2014): 64 bits of state, every seed a good stream.
struct FuzzRandom {
    private(set) var state: UInt64

    init(seed: UInt64) { state = seed }

    /// The generator of one execution: depends on the run's seed, the target and the iteration only.
    init(seed: UInt64, target: Int, iteration: Int) {
        state = Self.mix(Self.mix(Self.mix(seed) ^ UInt64(UInt(bitPattern: target))) ^ UInt64(UInt(bitPattern: iteration)))
    }

    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<n; 0 when n ≤ 1.
    mutating func below(_ n: Int) -> Int {
        guard n > 1 else { return 0 }
        return Int(truncatingIfNeeded: next() % UInt64(n))
    }

    mutating func oneIn(_ n: Int) -> Bool { below(n) == 0 }

    /// A random element; `a` must not be empty.
    mutating func pick<T>(_ a: [T]) -> T { a[below(a.count)] }

    /// A length skewed to small values: mostly 1…8, often up to 64, sometimes up to `max`.
    mutating func length(max: Int) -> Int {
        let m = Swift.max(1, max)
        switch below(8) {
        case 0...4: return 1 + below(Swift.min(8, m))
        case 5, 6: return 1 + below(Swift.min(64, m))
        default: return 1 + below(m)
        }
    }

    static let manySteps = [16, 256, 1_000, 4_096, 20_000, 100_000, 1_000_000]

    /// "Very many": 16, 256, 1,000 … 1,000,000, the largest not above `max` when the pick is too big.
    mutating func many(max: Int) -> Int {
        var k = below(Self.manySteps.count)
        while k > 0 && Self.manySteps[k] > max { k -= 1 }
        return Swift.max(1, Swift.min(Self.manySteps[k], max))
    }
}

/// Byte helpers shared by the targets.
enum Bytes {
    static func of(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// First occurrence of `needle` at or after `from`.
    static func find(_ needle: [UInt8], in b: [UInt8], from: Int = 0) -> Int? {
        guard let first = needle.first, needle.count <= b.count else { return nil }
        var i = Swift.max(0, from)
        let last = b.count - needle.count
        while i <= last {
            if b[i] == first {
                var k = 1
                while k < needle.count && b[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// An occurrence of `needle` at or after `from`, else the first one.
    static func findAround(_ needle: [UInt8], in b: [UInt8], from: Int) -> Int? {
        find(needle, in: b, from: from) ?? find(needle, in: b, from: 0)
    }

    /// `token` repeated `times` times.
    static func repeated(_ token: [UInt8], _ times: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(token.count * Swift.max(0, times))
        for _ in 0..<Swift.max(0, times) { out.append(contentsOf: token) }
        return out
    }

    /// How many copies of a `count`-byte token fit in `room` bytes (at least 1).
    static func fit(_ count: Int, room: Int) -> Int { Swift.max(1, room / Swift.max(1, count)) }
}

/// Generic mutations over bytes: bit flips, interesting bytes, chunk insertion, deletion and
/// duplication, splicing two seeds, a format's tokens inserted or repeated many times, truncation.
struct ByteMutator {
    static let interesting: [UInt8] = [
        0x00, 0xFF, UInt8(ascii: "\""), UInt8(ascii: ","), UInt8(ascii: "\n"), UInt8(ascii: "<"), UInt8(ascii: "&"),
        UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "\r"), UInt8(ascii: ">"), UInt8(ascii: "%"), UInt8(ascii: "."),
        UInt8(ascii: ":"), UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "'"), UInt8(ascii: "["), UInt8(ascii: "{"),
        0x7F, 0x80, 0xC0, 0xEF, 0xFE,
    ]

    /// Tokens of the target's format (inserted, repeated, written over the input).
    let tokens: [[UInt8]]
    /// Inputs are cut to this many bytes.
    let maxLength: Int

    /// 1–4 operations (sometimes up to 16), stacked.
    func mutate(_ b: inout [UInt8], _ r: inout FuzzRandom, splice other: [UInt8]? = nil) {
        let n = r.oneIn(8) ? 1 + r.below(16) : 1 + r.below(4)
        for _ in 0..<n { once(&b, &r, other) }
        if b.count > maxLength { b.removeLast(b.count - maxLength) }
    }

    func once(_ b: inout [UInt8], _ r: inout FuzzRandom, _ other: [UInt8]?) {
        let room = Swift.max(0, maxLength - b.count)
        switch r.below(10) {
        case 0: // bit flip
            guard !b.isEmpty else { return }
            b[r.below(b.count)] ^= UInt8(1) << UInt8(r.below(8))
        case 1: // an interesting byte
            if b.isEmpty { b.append(r.pick(Self.interesting)); return }
            b[r.below(b.count)] = r.pick(Self.interesting)
        case 2: // random bytes inserted
            let at = r.below(b.count + 1)
            let len = r.length(max: Swift.min(256, Swift.max(1, room)))
            var chunk: [UInt8] = []
            chunk.reserveCapacity(len)
            for _ in 0..<len { chunk.append(UInt8(truncatingIfNeeded: r.next())) }
            b.insert(contentsOf: chunk, at: at)
        case 3: // a chunk deleted
            guard !b.isEmpty else { return }
            let at = r.below(b.count)
            let len = Swift.min(r.length(max: b.count - at), b.count - at)
            b.removeSubrange(at..<(at + len))
        case 4: // a chunk duplicated, once or many times
            guard !b.isEmpty else { return }
            let at = r.below(b.count)
            let len = Swift.min(r.length(max: 256), b.count - at)
            let chunk = Array(b[at..<(at + len)])
            let times = r.oneIn(4) ? r.many(max: Bytes.fit(len, room: room)) : 1 + r.below(4)
            b.insert(contentsOf: Bytes.repeated(chunk, times), at: at + len)
        case 5: // spliced with another seed
            if let other, !other.isEmpty {
                let cut = r.below(b.count + 1), from = r.below(other.count)
                b.removeSubrange(cut..<b.count)
                b.append(contentsOf: other[from...])
            } else if !tokens.isEmpty {
                b.insert(contentsOf: r.pick(tokens), at: r.below(b.count + 1))
            }
        case 6: // a token inserted
            guard !tokens.isEmpty else { return }
            b.insert(contentsOf: r.pick(tokens), at: r.below(b.count + 1))
        case 7: // a token repeated very many times
            guard !tokens.isEmpty else { return }
            let t = r.pick(tokens)
            b.insert(contentsOf: Bytes.repeated(t, r.many(max: Bytes.fit(t.count, room: room))), at: r.below(b.count + 1))
        case 8: // a token written over the input
            guard !tokens.isEmpty, !b.isEmpty else { return }
            let t = r.pick(tokens)
            let at = r.below(b.count)
            b.replaceSubrange(at..<Swift.min(b.count, at + t.count), with: t)
        default: // truncated
            guard !b.isEmpty else { return }
            b.removeLast(1 + r.below(b.count))
        }
    }
}
