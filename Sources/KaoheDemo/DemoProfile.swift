import Foundation
import KaoheCore

/// Plausible evidence for the demo company: each agent has a steady quality (so a year of months
/// reads as one person's record), metrics move within the ranges a customer-service team sees,
/// related counts stay related (orders below inquiries, refunds a small share of paid orders),
/// offences are rare, manual marks lean high, and the ten recordings QA grades each month
/// (R-002-14) feed both the score and the service pay. Columns a profile does not name get the
/// generic treatment by kind.
struct DemoProfile {
    enum Better { case high, low }
    enum Spec {
        /// a value between lo and hi with `places` decimals, towards the better end for a good agent
        case range(Double, Double, Int, Better)
        /// a share of another column's value (lo…hi), rounded to `places`
        case share(String, Double, Double, Int, Better)
        /// a fixed value
        case fixed(String)
        /// one value for the whole team in a month (a store indicator, R-004-01), in the range
        case team(Double, Double, Int, Better)
    }

    static let profiles: [String: [(String, Spec)]] = [
        "ecommerce-monthly": [
            ("inquiries", .range(380, 720, 0, .high)),
            ("orders", .share("inquiries", 0.58, 0.82, 0, .high)),
            ("inquiry_orders", .share("orders", 0.86, 0.98, 0, .high)),
            ("inquiry_paid", .share("inquiry_orders", 0.86, 0.98, 0, .high)),
            ("paid_orders", .share("orders", 0.86, 0.98, 0, .high)),
            ("refund_orders", .share("paid_orders", 0.01, 0.08, 0, .low)),
            ("response_time", .range(14, 62, 0, .low)),
            ("churn_rate", .range(2, 12, 1, .low)),
            ("sales_amount", .range(160_000, 420_000, 2, .high)),
            ("refund_amount", .share("sales_amount", 0.01, 0.06, 2, .low)),
            ("paid_amount", .share("sales_amount", 0.86, 0.97, 2, .high)),
            ("void_orders", .range(0, 3, 0, .low)),
            ("return_rate", .range(2, 11, 1, .low)),
            ("bad_reviews", .range(0, 2, 0, .low)),
            ("wrong_shipments", .range(0, 1, 0, .low)),
            ("shipment_loss", .fixed("0")),
            ("complaints", .range(0, 1, 0, .low)),
            ("reminder_days", .range(0, 1, 0, .low)),
            ("sales_target", .fixed("250000")),
            ("performance_pay", .fixed("3000")),
        ],
        "after-sales": [
            ("order_total", .range(220_000, 620_000, 2, .high)),
            ("base_pay", .fixed("3500")),
            ("indicator_bonus", .fixed("800")),
            ("bonus_pool", .fixed("3000")),
            ("refund_rate", .team(1, 7, 1, .low)),
            ("refund_rate_target", .fixed("5")),
            ("refund_hours", .team(8, 32, 1, .low)),
            ("refund_hours_target", .fixed("24")),
            ("disputes", .team(0, 3, 0, .low)),
            ("disputes_target", .fixed("2")),
            ("dsr", .team(4.6, 4.95, 2, .high)),
            ("dsr_target", .fixed("4.7")),
            ("internal_complaints", .team(0, 2, 0, .low)),
            ("internal_complaints_target", .fixed("1")),
        ],
        "callcentre-agent": [
            ("daily_wage", .fixed("140")),
            ("absent_days", .range(0, 1, 0, .low)),
            ("leave_half_days", .range(0, 2, 0, .low)),
        ],
        "star-agent": [
            ("exam_score", .range(74, 98, 0, .high)),
            ("callbacks", .fixed("20")),
            ("callback_score_total", .range(176, 199, 0, .high)),
            ("callbacks_solved", .range(17, 20, 0, .high)),
            ("callbacks_satisfied", .range(15, 20, 0, .high)),
            ("volume_rate", .range(92, 128, 0, .high)),
            ("peer_review", .range(1, 2, 1, .high)),
            ("etiquette_item", .range(6, 8, 1, .high)),
            ("ability_item", .range(7, 10, 1, .high)),
            ("objective_reviewer", .range(3, 4, 1, .high)),
            ("daily_checks.personal_leave", .range(0, 1, 0, .low)),
            ("daily_checks.sick_leave", .range(0, 1, 0, .low)),
        ],
    ]

    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func unit() -> Double {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }

    static func text(_ v: Double, _ places: Int) -> String {
        places == 0 ? String(Int(v.rounded())) : String(format: "%.\(places)f", v)
    }

    /// The values one team shares in a month (store indicators), to merge into each member's.
    mutating func teamValues(preset: String) -> [String: String] {
        var out: [String: String] = [:]
        for (column, spec) in Self.profiles[preset] ?? [] {
            guard case .team(let lo, let hi, let p, let b) = spec else { continue }
            let q = min(1, max(0, 0.75 + (unit() - 0.5) * 0.5))
            out[column] = Self.text(lo + (hi - lo) * (b == .high ? q : 1 - q), p)
        }
        return out
    }

    /// One employee-period's evidence. `quality` (0…1) is the agent's steady level.
    mutating func values(preset: String, engine: ScoringEngine, quality: Double) -> [String: String] {
        var out: [String: String] = [:]
        var numbers: [String: Double] = [:]
        func towards(_ better: Better) -> Double {
            // the agent's level with some monthly noise, 0 = worst end, 1 = best end
            let q = min(1, max(0, quality + (unit() - 0.5) * 0.35))
            return better == .high ? q : 1 - q
        }
        for (column, spec) in Self.profiles[preset] ?? [] {
            switch spec {
            case .team: break   // `teamValues`, the same for every member
            case .fixed(let t): out[column] = t; numbers[column] = Double(t)
            case .range(let lo, let hi, let p, let b):
                let v = lo + (hi - lo) * towards(b)
                out[column] = Self.text(v, p); numbers[column] = Double(out[column]!)
            case .share(let of, let lo, let hi, let p, let b):
                let base = numbers[of] ?? 0
                let v = base * (lo + (hi - lo) * towards(b))
                out[column] = Self.text(v, p); numbers[column] = Double(out[column]!)
            }
        }
        // QA: ten recordings a month graded 优/良/中/差/劣 (R-002-14); the service pay reads the same counts
        let grades = engine.inputs.filter { $0.column.hasPrefix("qa_score.") }.map { String($0.column.dropFirst("qa_score.".count)) }
        if !grades.isEmpty {
            var counts = [String: Int]()
            for _ in 0..<10 {
                let r = unit() * (0.6 + 0.4 * (1 - quality))
                let g = r < 0.45 ? 0 : r < 0.75 ? 1 : r < 0.92 ? 2 : r < 0.99 ? 3 : 4
                counts[grades[min(g, grades.count - 1)], default: 0] += 1
            }
            for g in grades { out["qa_score.\(g)"] = String(counts[g] ?? 0) }
        }
        for input in engine.inputs where out[input.column] == nil {
            if input.rater == "reviewer" || input.column.hasSuffix(".override") { continue }
            switch input.kind {
            case .grade:
                // mostly the better grades
                let r = unit() * (1.2 - quality)
                let i = min(input.grades.count - 1, Int(r * 3))
                if !input.grades.isEmpty { out[input.column] = input.grades[i] }
            case .count where input.whenEmpty == .zero:
                // offences are rare, a veto almost never; praise now and then
                let rare = input.column.hasPrefix("veto.") || input.column.contains("serious") || input.column.contains("major") ? 0.004 : 0.08 * (1.3 - quality)
                let praise = input.column.hasPrefix("praise") || input.column.contains("praise")
                let p = praise ? 0.15 * quality : rare
                if unit() < p { out[input.column] = unit() < 0.85 ? "1" : "2" }
            case .number where (input.max ?? 100) <= 20, .percent where (input.max ?? 100) <= 20:
                // a manual mark: 70–100 % of its maximum for most agents, in half points
                let hi = input.max?.double ?? 5, lo = input.min?.double ?? 0
                let v = lo + (hi - lo) * min(1, max(0.55, 0.7 + 0.3 * towards(.high)))
                out[input.column] = Self.text((v * 2).rounded() / 2, 1)
            default:
                continue
            }
        }
        return out
    }
}
