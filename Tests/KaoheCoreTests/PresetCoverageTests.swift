import Foundation
import Testing
@testable import KaoheCore

/// Every preset loads, validates without errors, tags every item with a SPEC rule id, and
/// together the presets cover the rule ids the engine issue lists (issue 2, item 6).
@Suite("Presets: load, validate, trace")
struct PresetCoverageTests {
    static let required: [String] =
        (1...12).map { String(format: "R-000-%02d", $0) }
        + (1...20).map { String(format: "R-001-%02d", $0) }
        + ["R-002-10", "R-002-11", "R-002-14", "R-002-15", "R-002-20", "R-002-21", "R-002-22", "R-002-24", "R-002-25",
           "R-002-26", "R-002-27", "R-002-30", "R-002-31", "R-002-32", "R-002-33",
           "R-003-01", "R-003-10", "R-003-20", "R-003-21", "R-003-30", "R-003-40", "R-004-01", "R-004-02"]

    static let expectedIds = ["property-cs", "online-shop-cs", "ecommerce-monthly", "weighted-template", "callcentre-agent",
                              "star-agent", "company-monthly", "inbound-line", "call-back", "collection-stars",
                              "centre-scorecard", "after-sales"]

    @Test func everyPresetFileDecodesAndValidates() throws {
        let files = Presets.files()
        #expect(files.count >= Self.expectedIds.count)
        for url in files {
            do {
                let (scheme, problems) = try SchemeLoader.load(path: url.path)
                #expect(scheme.id == url.deletingPathExtension().lastPathComponent, "file name = id for \(url.lastPathComponent)")
                #expect(!problems.contains { $0.severity == .error })
                _ = try ScoringEngine(scheme: scheme)
            } catch {
                Issue.record("\(url.lastPathComponent): \(error)")
            }
        }
    }

    @Test(arguments: expectedIds)
    func presetExistsAndEveryItemCarriesARuleId(id: String) throws {
        let s = try Presets.scheme(id)
        #expect(s.source != nil)
        for sec in s.sections { for item in sec.items { #expect(!item.rules.isEmpty, "\(id): \(item.id)") } }
        for item in s.adjustments + s.money { #expect(!item.rules.isEmpty, "\(id): \(item.id)") }
        #expect(!s.allRules.isEmpty)
        // the scheme's own ids are SPEC ids
        for r in s.allRules { #expect(r.wholeMatch(of: /R-00[0-4]-\d\d[a-z]?/) != nil, "\(id): \(r)") }
    }

    @Test func presetsCoverTheListedRuleIds() {
        let covered = Set(Presets.all().flatMap(\.rules))
        let missing = Self.required.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "not covered: \(missing)")
    }

    @Test func everyPresetScoresSyntheticEvidenceWithinBounds() throws {
        for entry in Presets.all() {
            let engine = try ScoringEngine(scheme: try Presets.scheme(entry.id))
            var gen = SyntheticEvidence(seed: 5)
            let data = gen.csv(engine: engine, rows: 200)
            let rows = try EvidenceCSV.read(data, file: "\(entry.id).csv", engine: engine)
            let ceiling = engine.totalCeiling
            for r in engine.scoreAll(rows) {
                #expect(r.total >= (engine.scheme.floor ?? .zero), "\(entry.id)")
                if let ceiling { #expect(r.total <= ceiling, "\(entry.id) \(r.employeeId): \(r.total)") }
                for it in r.items where it.points != nil {
                    #expect(!it.explanation.isEmpty)
                }
            }
        }
    }
}
