import Foundation

/// A pending upload holds the choices of its import (kind, scheme, source, period, sheet, the
/// column mapping chosen on the page): the import feature's `Options`, stored in the model's
/// plain columns so that Store/ knows nothing of it.
extension ImportUpload {
    convenience init(userId: UUID, options o: ImportService.Options, data: Data) {
        self.init()
        self.userId = userId; self.kind = o.kind.rawValue; self.data = data; self.createdAt = Date()
        choose(o)
    }

    /// Keeps these choices (the file stays as uploaded).
    func choose(_ o: ImportService.Options) {
        scheme = o.scheme; source = o.source; period = o.period; sheet = o.sheet; fileName = o.file
        mapping = o.mapping.isEmpty ? nil : String(decoding: (try? JSONEncoder.sorted.encode(o.mapping)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// The column choices kept with the upload.
    var chosenMapping: [String: String] {
        guard let mapping else { return [:] }
        return (try? JSONDecoder().decode([String: String].self, from: Data(mapping.utf8))) ?? [:]
    }

    /// The upload's choices, to commit it as previewed (nil if its kind is no longer known).
    var options: ImportService.Options? {
        guard let k = ImportService.Kind(rawValue: kind) else { return nil }
        return ImportService.Options(kind: k, scheme: scheme, file: fileName, sheet: sheet, source: source, mapping: chosenMapping, period: period, dryRun: false)
    }
}
