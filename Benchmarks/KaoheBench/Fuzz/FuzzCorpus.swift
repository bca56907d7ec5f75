import Foundation
import KaoheCore

/// The seeds every target starts from: the presets (schemes, their engines, their formulas),
/// generated CSVs and interaction logs, and the files of the corpus directories. Built once per
/// run, lazily (a target that does not run costs nothing), always in the same order, so that a
/// seed and an iteration name the same input on every machine with the same corpus; the
/// fingerprint in the report tells whether two runs had the same corpus.
final class FuzzCorpus {
    let directories: [String]
    /// Size of the zip bomb's one entry once inflated.
    let bombMiB: Int
    /// FNV-1a over every seed read from a file (presets included).
    private(set) var fingerprint: UInt64 = 0xCBF2_9CE4_8422_2325

    init(directories: [String], bombMiB: Int) {
        self.directories = directories
        self.bombMiB = bombMiB
    }

    func note(_ bytes: [UInt8]) {
        var h = fingerprint
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        fingerprint = h
    }

    struct EngineEntry {
        let id: String
        let scheme: Scheme
        let engine: ScoringEngine
        let outcomes: OutcomeEngine?
    }

    /// Every preset that compiles, in id order.
    lazy var engines: [EngineEntry] = {
        var out: [EngineEntry] = []
        for e in Presets.all().sorted(by: { $0.id < $1.id }) {
            guard let s = try? Presets.scheme(e.id), let engine = try? ScoringEngine(scheme: s) else { continue }
            out.append(EngineEntry(id: e.id, scheme: s, engine: engine, outcomes: try? OutcomeEngine(engine: engine)))
        }
        return out
    }()

    /// The preset the CSV examples and the interaction log belong to.
    lazy var ecommerce: Int? = self.engines.firstIndex { $0.id == "ecommerce-monthly" } ?? self.engines.firstIndex { $0.scheme.interactionLog != nil }

    /// The preset files' text, in file order.
    lazy var presetTexts: [(name: String, bytes: [UInt8])] = {
        var out: [(name: String, bytes: [UInt8])] = []
        for url in Presets.files() {
            guard let d = FileManager.default.contents(atPath: url.path) else { continue }
            let b = [UInt8](d)
            self.note(b)
            out.append((url.lastPathComponent, b))
        }
        return out
    }()

    /// Files under the corpus directories (relative to the working directory unless absolute),
    /// sorted by path; at most 8 MiB each.
    lazy var files: [(name: String, bytes: [UInt8])] = {
        var out: [(name: String, bytes: [UInt8])] = []
        let fm = FileManager.default
        for dir in self.directories {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else { continue }
            let names = (fm.enumerator(atPath: dir)?.allObjects as? [String] ?? []).sorted()
            for n in names {
                let ext = (n as NSString).pathExtension.lowercased()
                guard ["csv", "xlsx", "yaml", "yml", "json", "txt"].contains(ext) else { continue }
                let path = (dir as NSString).appendingPathComponent(n)
                guard let attrs = try? fm.attributesOfItem(atPath: path), (attrs[.type] as? FileAttributeType) == .typeRegular,
                      let size = attrs[.size] as? Int, size <= 8 << 20, let d = fm.contents(atPath: path) else { continue }
                let b = [UInt8](d)
                self.note(b)
                out.append((path, b))
            }
        }
        return out
    }()

    func files(withExtensions exts: Set<String>) -> [(name: String, bytes: [UInt8])] {
        files.filter { exts.contains(($0.name as NSString).pathExtension.lowercased()) }
    }

    // MARK: - CSV evidence

    struct CSVSeed {
        var bytes: [UInt8]
        /// Index in `engines`.
        var engine: Int
    }

    /// Evidence CSVs: the corpus files (matched to the preset whose columns they name), a
    /// generated file per preset (one and two months), and the first of them in every encoding
    /// Excel writes (UTF-8 with BOM, GB18030, UTF-16 LE/BE “Unicode text”).
    lazy var csvSeeds: [CSVSeed] = {
        var out: [CSVSeed] = []
        guard !self.engines.isEmpty else { return out }
        for f in self.files(withExtensions: ["csv", "txt"]) where !Self.looksLikeLog(f.bytes) {
            out.append(CSVSeed(bytes: f.bytes, engine: self.bestEngine(f.bytes)))
        }
        for (k, e) in self.engines.enumerated() {
            var g = SyntheticEvidence(seed: UInt64(k + 1))
            out.append(CSVSeed(bytes: [UInt8](g.csv(engine: e.engine, rows: 12)), engine: k))
            if e.outcomes != nil {
                let a = [UInt8](g.csv(engine: e.engine, rows: 6, period: "2026-09"))
                var b = [UInt8](g.csv(engine: e.engine, rows: 6, period: "2026-10"))
                if let nl = b.firstIndex(of: 10) { b.removeSubrange(0...nl) }
                out.append(CSVSeed(bytes: a + b, engine: k))
            }
        }
        if let first = out.first {
            for variant in Self.encodings(first.bytes) { out.append(CSVSeed(bytes: variant, engine: first.engine)) }
        }
        return out
    }()

    static func looksLikeLog(_ b: [UInt8]) -> Bool {
        let head = String(decoding: b.prefix(512), as: UTF8.self)
        return head.contains("客服工号") || head.contains("会话") || head.hasPrefix("session,")
    }

    /// The preset whose input columns the header names most.
    func bestEngine(_ b: [UInt8]) -> Int {
        let header = String(decoding: b.prefix(while: { $0 != 10 && $0 != 13 }), as: UTF8.self)
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var best = ecommerce ?? 0, bestCount = 0
        for (k, e) in engines.enumerated() {
            let n = header.filter { e.engine.columnIndex[$0] != nil }.count
            if n > bestCount { best = k; bestCount = n }
        }
        return best
    }

    /// UTF-8 with BOM, GB18030, UTF-16LE and UTF-16BE (with BOM, tab-separated) of a UTF-8 text.
    static func encodings(_ utf8: [UInt8]) -> [[UInt8]] {
        let text = String(decoding: utf8, as: UTF8.self)
        var out: [[UInt8]] = [[0xEF, 0xBB, 0xBF] + utf8]
        if let gb = text.data(using: TextInput.gb18030) { out.append([UInt8](gb)) }
        let tabbed = text.replacingOccurrences(of: ",", with: "\t")
        if let le = tabbed.data(using: .utf16LittleEndian) { out.append([0xFF, 0xFE] + [UInt8](le)) }
        if let be = tabbed.data(using: .utf16BigEndian) { out.append([0xFE, 0xFF] + [UInt8](be)) }
        return out
    }

    // MARK: - interaction logs

    /// Chat logs for the preset with an `interaction_log` (ecommerce-monthly): generated with
    /// Chinese and English headers, in GB18030, and the corpus files that look like logs.
    lazy var logSeeds: [[UInt8]] = {
        var out: [[UInt8]] = self.files(withExtensions: ["csv", "txt"]).filter { Self.looksLikeLog($0.bytes) }.map(\.bytes)
        var r = FuzzRandom(seed: 7)
        out.append(Self.chatLog(&r, rows: 120, english: false))
        out.append(Self.chatLog(&r, rows: 60, english: true))
        let gb = Self.chatLog(&r, rows: 40, english: false)
        if let d = String(decoding: gb, as: UTF8.self).data(using: TextInput.gb18030) { out.append([UInt8](d)) }
        return out
    }()

    static let chatOutcomes = ["咨询", "下单未付款", "已付款", "退款", "流失", "下单", "付款"]

    /// A log as the CI smoke test writes it: one row per chat.
    static func chatLog(_ r: inout FuzzRandom, rows: Int, english: Bool) -> [UInt8] {
        var s = english ? "session,agent,start,first response,outcome,order amount,paid amount,refund amount\n"
                        : "会话ID,客服工号,开始时间,首次响应时长,结果,订单金额,实付金额,退款金额\n"
        for i in 0..<rows {
            let agent = String(format: "1010%02d", 1 + i % 8)
            let outcome = r.pick(chatOutcomes)
            let ordered = outcome != "咨询" && outcome != "流失"
            let amount = ordered ? "\(50 + r.below(850))" : ""
            let paid = outcome == "已付款" || outcome == "退款" || outcome == "付款" ? amount : ""
            let refund = outcome == "退款" ? amount : ""
            s += "\(i),\(agent),2026-10-\(String(format: "%02d", 1 + i % 28)) 10:\(String(format: "%02d", i % 60)),\(5 + r.below(85)),\(outcome),\(amount),\(paid),\(refund)\n"
        }
        return Array(s.utf8)
    }

    // MARK: - schemes and formulas

    struct SchemeSeed {
        var bytes: [UInt8]
        var json: Bool
    }

    /// The presets as YAML, the corpus YAML/JSON files, and the presets encoded as JSON.
    lazy var schemeSeeds: [SchemeSeed] = {
        var out = self.presetTexts.map { SchemeSeed(bytes: $0.bytes, json: false) }
        for f in self.files(withExtensions: ["yaml", "yml", "json"]) {
            out.append(SchemeSeed(bytes: f.bytes, json: (f.name as NSString).pathExtension.lowercased() == "json"))
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        for e in self.engines.prefix(4) {
            if let d = try? enc.encode(e.scheme) { out.append(SchemeSeed(bytes: [UInt8](d), json: true)) }
        }
        return out
    }()

    static let formulaKeys = ["formula", "condition", "paid", "base", "up_on", "down_on", "member", "training_missed", "quarter_veto", "applies_to", "when"]

    /// Every quoted formula of the YAML seeds (`formula: "orders / inquiries * 100"` …).
    lazy var formulas: [String] = {
        var out: [String] = []
        var seen = Set<String>()
        for s in self.schemeSeeds where !s.json {
            let text = String(decoding: s.bytes, as: UTF8.self)
            for key in Self.formulaKeys {
                var rest = text[...]
                while let r = rest.range(of: "\(key): \"") {
                    let after = rest[r.upperBound...]
                    guard let end = after.firstIndex(of: "\"") else { break }
                    let f = String(after[..<end])
                    if !f.isEmpty && seen.insert(f).inserted { out.append(f) }
                    rest = after[end...]
                }
            }
        }
        if out.isEmpty { out = ["orders / inquiries * 100", "clamp(10 * a / group_avg(a), 0, 10)", "if(x > 0, -30, 0)"] }
        return out
    }()
}
