import Foundation

/// Deterministic, plausible evidence for any scheme (benchmarks, demo data): every input column
/// filled with a value inside its declared range.
public struct SyntheticEvidence {
    var state: UInt64

    public init(seed: UInt64 = 42) { state = seed &* 6364136223846793005 &+ 1442695040888963407 }

    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        var z = state
        z = (z ^ (z >> 33)) &* 0xff51afd7ed558ccd
        return z ^ (z >> 29)
    }

    mutating func uniform(_ lo: Fixed, _ hi: Fixed, places: Int) -> Fixed {
        var unit: Int64 = 1
        for _ in 0..<(Fixed.digits - places) { unit *= 10 }
        // in 128 bits: a range of ±9.2 × 10¹² does not overflow
        let span = UInt64(clamping: max(0, (Int128(hi.raw) - Int128(lo.raw)) / Int128(unit))) &+ 1
        return Fixed(raw: Int64(clamping: Int128(lo.raw) + Int128(next() % max(span, 1)) * Int128(unit)))
    }

    /// One value for an input, as CSV text.
    public mutating func value(for input: InputSpec) -> String {
        if input.rater == "reviewer" { return "" }            // overrides stay empty
        switch input.kind {
        case .grade: return input.grades.isEmpty ? "" : input.grades[Int(next() % UInt64(input.grades.count))]
        case .count:
            if input.optional {
                let hi = UInt64(Swift.max(0, Swift.min(input.max?.intValue ?? 2, 2)))
                return next() % 4 == 0 ? "\(next() % (hi + 1))" : ""
            }
            return "\(uniform(input.min ?? 0, Swift.min(input.max ?? 500, 500), places: 0))"
        case .percent: return uniform(input.min ?? 0, input.max ?? 100, places: 1).description
        case .money: return uniform(input.min ?? 0, Swift.min(input.max ?? 300_000, 300_000), places: 2).description
        default:
            if input.optional { return next() % 5 == 0 ? uniform(input.min ?? 0, input.max ?? 3, places: 0).description : "" }
            let hi = input.max ?? 200
            let lo = input.min ?? 0
            return uniform(Swift.max(lo, hi - (hi - lo) * 2), hi, places: 1).description   // marks lean high
        }
    }

    /// A CSV with `rows` employees for one period, header first.
    public mutating func csv(engine: ScoringEngine, rows: Int, period: String = "2026-10") -> Data {
        var sink = ByteSink(capacity: rows * 128)
        let cols = engine.inputs
        sink.raw("employee_id,period,team")
        for c in cols { sink.raw(","); sink.csv(c.column) }
        sink.raw("\n")
        for r in 0..<rows {
            sink.text("E\(100000 + r),\(period),T\(r % 50)")
            for c in cols { sink.raw(","); sink.csv(value(for: c)) }
            sink.raw("\n")
        }
        return Data(sink.bytes)
    }
}
