import Foundation

/// The schemes of the seed documents, shipped as YAML files in `Presets/` (one per scheme,
/// labelled with the seed's own Chinese terms, every item tagged with its SPEC rule ids).
public enum Presets {
    public struct Entry: Sendable {
        public var id: String
        public var name: String
        public var source: String?
        public var rules: [String]
        public var file: URL
    }

    public struct NotFound: Error, CustomStringConvertible {
        public var id: String
        public var available: [String]
        public var description: String { "没有这个预设 no preset “\(id)”; 可用 available: \(available.joined(separator: ", "))" }
    }

    /// Directory holding the preset files.
    public static var directory: URL? {
        Bundle.module.url(forResource: "Presets", withExtension: nil)
    }

    public static func files() -> [URL] {
        guard let dir = directory,
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".json") }.sorted().map { dir.appendingPathComponent($0) }
    }

    /// The file of the preset with this id (its file name), or nil.
    public static func file(_ id: String) -> URL? {
        files().first { $0.deletingPathExtension().lastPathComponent == id }
    }

    /// Every preset, decoded (a preset that fails to decode is reported by `problems()`).
    public static func all() -> [Entry] {
        files().compactMap { url in
            guard let text = try? String(contentsOf: url, encoding: .utf8),
                  let s = try? SchemeLoader.decode(text, format: SchemeLoader.format(for: url.path, text: text)) else { return nil }
            return Entry(id: s.id, name: s.name, source: s.source, rules: s.allRules, file: url)
        }
    }

    /// Loads a preset by id, validated.
    public static func scheme(_ id: String) throws -> Scheme {
        for url in files() where url.deletingPathExtension().lastPathComponent == id {
            return try SchemeLoader.load(path: url.path, preset: true).0
        }
        for e in all() where e.id == id { return try SchemeLoader.load(path: e.file.path, preset: true).0 }
        throw NotFound(id: id, available: all().map(\.id))
    }
}
