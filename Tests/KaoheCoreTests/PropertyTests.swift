import Foundation
import Testing
@testable import KaoheCore

/// Properties that must hold for every scheme Kaohe ships, on many synthetic sheets:
/// a total never exceeds the attainable maximum plus bonuses (nor falls below the floor), and
/// one more deduction event — an offence, a bad review, a veto — never raises a score.
@Suite("Properties over every preset")
struct PropertyTests {
    static func engines() throws -> [(String, ScoringEngine)] {
        var out: [(String, ScoringEngine)] = [("all-kinds", try fixtureEngine("all-kinds.yaml"))]
        for p in Presets.all() { out.append((p.id, try ScoringEngine(scheme: try Presets.scheme(p.id)))) }
        return out
    }

    /// Input columns that record a deduction event (they may only lower a total).
    static func deductionColumns(_ s: Scheme) -> [String] {
        var cols: [String] = []
        for item in s.sections.flatMap(\.items) + s.adjustments {
            switch item.rule {
            case .deductions(let l):
                cols += l.offences.map { "\(item.id).\($0.id)" }
                if l.other == true { cols.append("\(item.id).other") }
            case .perOccurrence(let r) where r.direction != .add:
                cols.append(r.metric ?? item.id)
            case .veto(let v):
                cols += v.offences.map { "\(item.id).\($0.id)" }
            default: break
            }
        }
        return cols
    }

    static func rows(_ engine: ScoringEngine, seed: UInt64, count: Int) throws -> [ScoringRow] {
        var gen = SyntheticEvidence(seed: seed)
        return try EvidenceCSV.read(gen.csv(engine: engine, rows: count), file: "synthetic.csv", engine: engine)
    }

    @Test func totalsStayWithinTheAttainableMaximumPlusBonuses() throws {
        for (id, engine) in try Self.engines() {
            let ceiling = engine.totalCeiling
            for seed in [1, 2, 3] as [UInt64] {
                for r in engine.scoreAll(try Self.rows(engine, seed: seed, count: 300)) {
                    if let ceiling { #expect(r.total <= ceiling, "\(id) \(r.employeeId): \(r.total) > \(ceiling)") }
                    #expect(r.total >= (engine.scheme.floor ?? .zero), "\(id) \(r.employeeId): \(r.total)")
                    for s in r.sections { #expect(s.points <= s.max && s.points >= .zero, "\(id) \(s.id) \(s.points)/\(s.max)") }
                }
            }
        }
    }

    @Test func oneMoreDeductionEventNeverRaisesAScore() throws {
        var checked = 0
        for (id, engine) in try Self.engines() {
            let cols = Self.deductionColumns(engine.scheme).compactMap { c in engine.columnIndex[c].map { (c, engine.inputs[$0].slot) } }
            guard !cols.isEmpty else { continue }
            for row in try Self.rows(engine, seed: 9, count: 60) {
                let before = engine.scoreAll([row])[0]
                for (col, slot) in cols {
                    var more = row
                    more.values[slot] = (row.values[slot] ?? .zero) + 1
                    let after = engine.scoreAll([more])[0]
                    #expect(after.total <= before.total, "\(id) \(row.employee): +1 \(col) raised \(before.total) → \(after.total)")
                    checked += 1
                }
            }
        }
        #expect(checked > 100)
    }

    @Test func parallelScoringWritesExactlyTheSerialOutputInOrder() throws {
        let engine = try fixtureEngine("all-kinds.yaml")
        let rows = try Self.rows(engine, seed: 4, count: 5_000)
        var serial = ByteSink()
        engine.scoreAll(rows) { ResultWriter.json($0, into: &serial, first: false) }
        var parallel = ByteSink()
        var chunks = 0
        engine.scoreAll(rows, chunk: 256, render: { r, o in ResultWriter.json(r, into: &o, first: false) }) { chunk in
            parallel.bytes += chunk.bytes
            chunks += 1
        }
        #expect(chunks == 20)
        #expect(parallel.bytes.count == serial.bytes.count)
        #expect(parallel.bytes == serial.bytes)
    }
}
