import Fluent
import Vapor

/// Sessions in the database (several `kaohe serve` processes behave as one system), written only
/// when they change. Vapor's sessions middleware saves the session after every request that read
/// it: a page view was a database write (an UPDATE of the session row), which on SQLite takes the
/// one write lock, so readers queued behind each other and behind raters saving sheets (issue 19
/// §6). The data as read is kept on the request; an update with the same data is skipped. A
/// sign-in, a new CSRF token or a sign-out still writes (or deletes) as before.
struct QuietSessions: SessionDriver {
    let base: any SessionDriver

    private struct ReadKey: StorageKey { typealias Value = SessionData }

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        base.createSession(data, for: request)
    }

    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        base.readSession(sessionID, for: request).map { data in
            if let data { request.storage[ReadKey.self] = data }
            return data
        }
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        if let read = request.storage[ReadKey.self], read == data { return request.eventLoop.makeSucceededFuture(sessionID) }
        return base.updateSession(sessionID, to: data, for: request)
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        base.deleteSession(sessionID, for: request)
    }
}
