import Foundation

/// Phase timings on standard error when KAOHE_TRACE is set (benchmarks).
enum Trace {
    nonisolated(unsafe) static var last = Date()
    static let on = ProcessInfo.processInfo.environment["KAOHE_TRACE"] != nil
    static func mark(_ what: String) {
        guard on else { return }
        let now = Date()
        FileHandle.standardError.write(Data(String(format: "  %-24@ %6.2f s\n", what as NSString, now.timeIntervalSince(last)).utf8))
        last = now
    }
}
