import Fluent
import Foundation
import Vapor

/// Security headers on every response.
struct SecurityHeaders: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        let res = try await next.respond(to: req)
        res.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        res.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        res.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        res.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
        res.headers.replaceOrAdd(name: "Cache-Control", value: "no-store")
        return res
    }
}

/// Errors as JSON under /api, as a short page elsewhere; nothing internal leaks.
struct ErrorPage: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: req)
        } catch {
            let status: HTTPResponseStatus
            let reason: String
            if let a = error as? AbortError { status = a.status; reason = a.reason } else {
                req.logger.report(error: error)
                status = .internalServerError; reason = "服务器内部错误 internal error"
            }
            if req.url.path.hasPrefix("/api/") {
                let res = Response(status: status)
                try res.content.encode(APIError(error: status.reasonPhrase, message: reason))
                return res
            }
            return Page.render(status: status, title: "\(status.code) \(status.reasonPhrase)", body: Page.errorBody(status, reason))
        }
    }
}

struct APIError: Content { var error: String; var message: String }

/// Web pages that need a signed-in user: otherwise back to the login page.
struct RequireLogin: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        guard let user = req.auth.get(User.self) else { return req.redirect(to: SiteURL.login.path) }
        // a first-start or reset password must be replaced before anything else
        if user.mustChangePassword && req.url.path != SiteURL.password.path && req.url.path != SiteURL.logout.path {
            return req.redirect(to: SiteURL.password.path)
        }
        return try await next.respond(to: req)
    }
}

/// API: a session user or an API token (`Authorization: Bearer …`); otherwise 401.
struct APIAuthenticator: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        if !req.auth.has(User.self), let bearer = req.headers.bearerAuthorization {
            if let token = try await UserToken.query(on: req.db).filter(\.$tokenHash == UserToken.hash(bearer.token)).with(\.$user).first() {
                token.lastUsedAt = Date()
                try await token.save(on: req.db)
                req.auth.login(token.user)
            }
        }
        guard req.auth.has(User.self) else { throw Abort(.unauthorized, reason: "需要登录或 API 令牌 sign in or send an API token") }
        return try await next.respond(to: req)
    }
}

/// Every form POST carries the session's CSRF token (`_csrf`). A body that arrives in several
/// chunks (a form over a few KB from a real browser, an uploaded file) is still streaming when
/// middleware runs — the route's own `.collect` comes later — so it is collected here, up to
/// `maxBody`; before, a scheme posted from the editor was refused as a stale form.
struct CSRFCheck: AsyncMiddleware {
    var maxBody: ByteCount = "1mb"

    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        if req.method == .POST {
            if req.body.data == nil {
                do { _ = try await req.body.collect(max: maxBody.value).get() } catch {
                    throw Abort(.payloadTooLarge, reason: "表单或文件太大（上限 \(maxBody.value / 1_048_576) MB）")
                }
            }
            let sent = try? req.content.get(String.self, at: "_csrf")
            guard let expected = req.session.data["csrf"], let sent, sent == expected else {
                throw Abort(.forbidden, reason: "表单已过期或来源不明，请刷新页面后重试 (CSRF token missing or wrong)")
            }
        }
        return try await next.respond(to: req)
    }
}

extension Request {
    /// The session's CSRF token, made on first use.
    var csrfToken: String {
        if let t = session.data["csrf"] { return t }
        let t = [UInt8].random(count: 24).base64
        session.data["csrf"] = t
        return t
    }

    var user: User { get throws { try auth.require(User.self) } }

    /// The JSON body, or 400 naming the field as the client wrote it (`hire_date: 缺少字段`).
    func decodeBody<T: Content>(_ type: T.Type) throws -> T {
        do { return try content.decode(type) } catch let d as DecodingError {
            throw Abort(.badRequest, reason: EvidenceController.describe(d))
        }
    }
}
