import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Sends the outbox (issue 17 §7): every due message is taken by one conditional UPDATE (several
/// server processes share the queue), sent, and marked sent — or, failing, tried again after 1, 5
/// and 30 minutes and marked failed after the fourth attempt, with the last error, for HR to see
/// and send again. It runs every `interval` seconds while `kaohe serve` runs, and at once when a
/// step has queued messages (`kick`); tests call `deliverDue` with the clock they want.
final class NotificationWorker: Sendable {
    /// Seconds to wait after the 1st, 2nd, 3rd failed attempt; the attempt after the last is the last.
    static let backoff: [TimeInterval] = [60, 300, 1800]
    static var maxAttempts: Int { backoff.count + 1 }
    /// A message left `sending` this long (its process stopped) is taken again.
    static let stale: TimeInterval = 600

    private struct State: Sendable { var running = false; var again = false; var loop: Task<Void, Never>? }
    private let state = NIOLockedValueBox(State())
    let app: Application
    let interval: TimeInterval

    init(app: Application, interval: TimeInterval) { self.app = app; self.interval = interval }

    /// What one pass did.
    struct Pass: Sendable, Equatable { var sent = 0; var retried = 0; var failed = 0 }

    /// Sends every message due at `now` (up to `limit`).
    @discardableResult
    static func deliverDue(_ app: Application, now: Date = Date(), limit: Int = 50) async throws -> Pass {
        var pass = Pass()
        let stale = now.addingTimeInterval(-Self.stale)
        let ids = try await NotificationStore.due(at: now, stale: stale, limit: limit, on: app.db)
        guard !ids.isEmpty else { return pass }
        let settings = try await NotificationStore.settings(on: app.db) ?? NotificationSettings.defaults()
        for id in ids {
            guard let n = try await NotificationStore.claim(id, at: now, stale: stale, on: app.db) else { continue }
            n.attempts += 1
            do {
                try await send(n, settings: settings, app: app)
                n.status = "sent"; n.sentAt = Date(); n.lastError = nil
                pass.sent += 1
            } catch {
                n.lastError = String("\(error)".prefix(500))
                if n.attempts >= Self.maxAttempts {
                    n.status = "failed"; pass.failed += 1
                } else {
                    n.status = "pending"; n.nextAttemptAt = now.addingTimeInterval(Self.backoff[n.attempts - 1]); pass.retried += 1
                }
                app.logger.warning("notice \(id) (\(n.channel) → \(n.targetLabel)) attempt \(n.attempts): \(n.lastError ?? "")")
            }
            n.claimedAt = nil
            try await NotificationStore.save(n, on: app.db)
        }
        return pass
    }

    /// One message through its channel, with the settings and webhook as they are now.
    static func send(_ n: OutboundNotice, settings: NotificationSettings, app: Application) async throws {
        switch n.channel {
        case "email":
            guard settings.emailEnabled else { throw SMTPFailure("邮件通知已停用 e-mail notices are switched off") }
            guard let host = settings.smtpHost, !host.isEmpty, let from = settings.smtpFrom else {
                throw SMTPFailure("尚未设置 SMTP 服务器 no SMTP server is set")
            }
            let smtp = SMTPSettings(host: host, port: settings.smtpPort, from: from,
                                    auth: SMTPSettings.Auth(rawValue: settings.smtpAuth) ?? .none,
                                    username: settings.smtpUsername ?? "", password: settings.smtpPassword ?? "",
                                    tls: SMTPSettings.TLS(rawValue: settings.smtpTLS) ?? .optional)
            try await SMTPClient.send(to: n.target, subject: n.subject, body: n.body, with: smtp, on: app.eventLoopGroup)
        default:
            guard settings.webhooksEnabled else { throw Webhooks.Failure(description: "群机器人通知已停用 webhook notices are switched off") }
            guard let id = UUID(uuidString: n.target), let w = try await NotificationStore.webhook(id, on: app.db) else {
                throw Webhooks.Failure(description: "该机器人已删除 the webhook was removed")
            }
            try await Webhooks.send(kind: w.kind, url: w.url, secret: w.secret, text: n.body, client: app.client)
        }
    }

    // MARK: running in the background

    func start() {
        state.withLockedValue { s in
            guard s.loop == nil else { return }
            s.loop = Task { [self] in
                while !Task.isCancelled {
                    await self.pass()
                    try? await Task.sleep(nanoseconds: UInt64(self.interval * 1_000_000_000))
                }
            }
        }
    }

    func stop() async {
        let loop = state.withLockedValue { s -> Task<Void, Never>? in
            let l = s.loop
            s.loop = nil
            return l
        }
        loop?.cancel()
        await loop?.value
    }

    /// Sends what is due now, without waiting (a step has just queued messages).
    func kick() {
        guard state.withLockedValue({ $0.loop != nil }) else { return }
        Task { [self] in await self.pass() }
    }

    /// One pass at a time in this process; a kick during a pass makes it go round once more.
    private func pass() async {
        let go = state.withLockedValue { s -> Bool in
            if s.running { s.again = true; return false }
            s.running = true
            return true
        }
        guard go else { return }
        while true {
            state.withLockedValue { $0.again = false }
            do { try await Self.deliverDue(app) } catch { app.logger.warning("notification worker: \(error)") }
            let more = state.withLockedValue { s -> Bool in
                if s.again { return true }
                s.running = false
                return false
            }
            if !more { break }
        }
    }
}

struct NotificationWorkerKey: StorageKey { typealias Value = NotificationWorker }

/// Starts the worker when the server boots and stops it before the server shuts down.
struct NotificationWorkerLifecycle: LifecycleHandler {
    let worker: NotificationWorker
    func didBootAsync(_ application: Application) async throws { worker.start() }
    func shutdownAsync(_ application: Application) async { await worker.stop() }
}

extension Application {
    /// Runs the outbox worker while the application runs (`kaohe serve`), every `interval` seconds.
    func startNotifications(interval: TimeInterval) {
        let worker = NotificationWorker(app: self, interval: interval)
        storage[NotificationWorkerKey.self] = worker
        lifecycle.use(NotificationWorkerLifecycle(worker: worker))
    }

    /// Asks the worker (if running) to send what was just queued.
    func kickNotifications() {
        storage[NotificationWorkerKey.self]?.kick()
    }
}
