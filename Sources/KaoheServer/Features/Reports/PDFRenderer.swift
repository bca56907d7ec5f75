import Foundation
import Vapor
#if canImport(Glibc)
import Glibc
#endif

/// A printed form as PDF (issue 17 §6): the page's HTML — already in the reader's language — is
/// written to a file in a temporary directory and printed there by headless Chromium, so the
/// browser needs neither the session cookie nor the server. Chromium runs as a subprocess on the
/// application's blocking thread pool (never on an event loop) with a time limit; when it is not
/// installed the caller shows the print page instead (with a note), never an error.
enum PDFRenderer {
    /// Where Chromium is looked for when `KAOHE_CHROMIUM` names none.
    static let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/local/bin/chromium"]

    /// Seconds a print may take before Chromium is stopped.
    static let timeLimit: Double = 60

    /// The Chromium to print with: the configured path (`KAOHE_CHROMIUM`; `none` turns PDF off), else
    /// the first of `candidates` installed; nil when there is none.
    static func executable(_ config: AppConfig) -> String? {
        if let c = config.chromium {
            guard c != "none", !c.isEmpty else { return nil }
            return FileManager.default.isExecutableFile(atPath: c) ? c : nil
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// The PDF of `html`, printed by the Chromium at `chromium`.
    static func pdf(html: String, chromium: String, on app: Application) async throws -> Data {
        let limit = timeLimit
        return try await app.threadPool.runIfActive {
            try Self.render(html: html, chromium: chromium, timeLimit: limit)
        }
    }

    /// Prints on the calling thread (a thread of the blocking pool): a fresh directory with the page
    /// and Chromium's own profile, removed afterwards.
    static func render(html: String, chromium: String, timeLimit: Double) throws -> Data {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("kaohe-print-\(UUID().uuidString)")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        let page = dir.appendingPathComponent("form.html"), out = dir.appendingPathComponent("form.pdf")
        try Data(html.utf8).write(to: page)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                       "--disable-extensions", "--user-data-dir=\(dir.appendingPathComponent("profile").path)", "--no-pdf-header-footer",
                       "--print-to-pdf=\(out.path)", page.absoluteString]
        p.currentDirectoryURL = dir
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { throw Failure(description: "\(chromium): 无法运行 cannot run (\(error))") }
        let deadline = Date().addingTimeInterval(timeLimit)
        while p.isRunning {
            if Date() > deadline {
                p.terminate()
                Thread.sleep(forTimeInterval: 1)
                #if canImport(Glibc)
                if p.isRunning { kill(p.processIdentifier, SIGKILL) }
                #endif
                throw Failure(description: "Chromium 打印超时 did not finish within \(Int(timeLimit)) s")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard p.terminationStatus == 0, let data = fm.contents(atPath: out.path), data.starts(with: Array("%PDF".utf8)) else {
            throw Failure(description: "Chromium 打印失败 failed (exit \(p.terminationStatus))")
        }
        return data
    }

}
