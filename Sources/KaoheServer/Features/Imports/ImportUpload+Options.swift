import Foundation

/// A pending upload holds the choices of its import (kind, scheme, source, period, sheet): the
/// import feature's `Options`, stored in the model's plain columns so that Store/ knows nothing of it.
extension ImportUpload {
    convenience init(userId: UUID, options o: ImportService.Options, data: Data) {
        self.init()
        self.userId = userId; self.kind = o.kind.rawValue; self.scheme = o.scheme; self.source = o.source; self.period = o.period
        self.sheet = o.sheet; self.fileName = o.file; self.data = data; self.createdAt = Date()
    }

    /// The upload's choices, to commit it as previewed (nil if its kind is no longer known).
    var options: ImportService.Options? {
        guard let k = ImportService.Kind(rawValue: kind) else { return nil }
        return ImportService.Options(kind: k, scheme: scheme, file: fileName, sheet: sheet, source: source, period: period, dryRun: false)
    }
}
