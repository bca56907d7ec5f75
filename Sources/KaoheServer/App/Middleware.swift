import Fluent
import Foundation
import KaoheCore
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
            let lang = req.language
            let api = req.url.path.hasPrefix("/api/")
            let status: HTTPResponseStatus
            let reason: String
            if let a = error as? AbortError, !(a is KaoheError) {
                // Vapor's own (a 404, a 405, a body too large): English, or our Chinese
                status = a.status; reason = Localizer.shared.text(a.reason, lang)
            } else {
                let k: KaoheError
                if let e = error as? KaoheError { k = e } else if let d = error as? DatabaseError, d.isConstraintFailure {
                    // two writes raced to create the same thing (or a check was missed): the second is a conflict, not a crash
                    req.logger.warning("constraint: \(String(describing: d).prefix(300))")
                    k = .conflict("已存在，或被其他记录引用 — 请求编号 \(req.requestId)", en: "already exists or is still referred to — request id \(req.requestId)")
                } else {
                    req.logger.report(error: error)
                    // the id finds the log line (RequestLog)
                    k = .internalFault("服务器内部错误 — 请求编号 \(req.requestId)", en: "internal error — request id \(req.requestId)")
                }
                status = k.status; reason = k.message(lang, api: api)
            }
            let res: Response
            if api {
                res = Response(status: status)
                try res.content.encode(APIError(error: status.reasonPhrase, message: reason))
            } else {
                res = Page.render(status: status, title: "\(status.code) \(status.reasonPhrase)", body: Page.errorBody(status, reason))
            }
            // what the error says about the request (the Allow of a 405)
            if let a = error as? AbortError { for (name, value) in a.headers where name.lowercased() != "content-type" { res.headers.replaceOrAdd(name: name, value: value) } }
            return res
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

/// API: a session user or an API token (`Authorization: Bearer …`); otherwise 401 (issue 13):
/// - a token works while it is neither revoked nor expired and its account is active; a `read`
///   token may only read (GET/HEAD);
/// - a call that changes something with only the session cookie must carry the page's CSRF
///   token (`X-CSRF-Token`) or be JSON sent from this site's own origin (`Origin` equal to the
///   host): a form or `text/plain` post from another site is refused;
/// - an account that must change its password can do nothing else, here as on the pages.
struct APIAuthenticator: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        let reads = req.method == .GET || req.method == .HEAD
        if req.auth.has(User.self) {
            if !reads { try Self.checkCSRF(req) }
        } else if let bearer = req.headers.bearerAuthorization {
            let token = try await AccountStore.tokenWithOwner(hash: UserToken.hash(bearer.token), on: req.db)
            guard let token, token.usable(), token.user.active else {
                throw KaoheError.unauthorized("API 令牌无效、已过期或已撤销", en: "the API token is unknown, expired or revoked")
            }
            if token.scope == .read && !reads {
                throw KaoheError.forbidden("这个令牌只能读取", en: "this token is read-only")
            }
            // last use kept to the minute: not a database write on every call
            if token.lastUsedAt.map({ Date().timeIntervalSince($0) > 60 }) ?? true {
                token.lastUsedAt = Date()
                try await token.save(on: req.db)
            }
            req.storage[TokenAuthKey.self] = token
            req.auth.login(token.user)
        }
        guard let user = req.auth.get(User.self) else { throw KaoheError.unauthorized("需要登录或 API 令牌", en: "sign in or send an API token") }
        if user.mustChangePassword && !(reads && req.url.path == SiteURL.api(.me).path) {
            throw KaoheError.forbidden("请先修改一次性密码 (/account/password)", en: "change the one-time password first (/account/password)")
        }
        return try await next.respond(to: req)
    }

    static func checkCSRF(_ req: Request) throws {
        if let sent = req.headers.first(name: "X-CSRF-Token"), let expected = req.session.data["csrf"], sent == expected { return }
        if req.headers.contentType == .json, let origin = req.headers.first(name: .origin), let host = req.headers.first(name: .host),
           let o = URL(string: origin), let oh = o.host {
            let port = o.port.map { ":\($0)" } ?? ""
            if oh + port == host { return }
        }
        throw KaoheError.forbidden("缺少 CSRF 令牌：用会话调用接口时须带 X-CSRF-Token 头，或从本站以 JSON 发送", en: "CSRF token missing: a call with the session cookie needs the X-CSRF-Token header, or JSON sent from this site")
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
                    throw KaoheError.tooLarge("表单或文件太大（上限 \(maxBody.value / 1_048_576) MB）")
                }
            }
            let sent = try? req.content.get(String.self, at: "_csrf")
            let expected = req.auth.has(User.self) ? req.session.data["csrf"] : req.cookies[PreSession.cookie]?.string
            guard let expected, let sent, sent == expected else {
                throw KaoheError.forbidden("表单已过期或来源不明，请刷新页面后重试", en: "the form has expired or comes from elsewhere (CSRF token missing or wrong); reload the page and try again")
            }
        }
        return try await next.respond(to: req)
    }
}

extension Request {
    /// The session's CSRF token, made on first use.
    var csrfToken: String {
        // before sign-in: a cookie, not a session row (AnonymousSessions)
        guard auth.has(User.self) else { return PreSession.token(self) }
        if let t = session.data["csrf"] { return t }
        let t = [UInt8].random(count: 24).base64
        session.data["csrf"] = t
        return t
    }

    var user: User { get throws { try auth.require(User.self) } }

    /// The JSON body, or 400 naming the field as the client wrote it (`hire_date: 缺少字段`).
    func decodeBody<T: Content>(_ type: T.Type) throws -> T {
        let value: T
        do { value = try content.decode(type) } catch let d as DecodingError {
            throw KaoheError.badInput(DecodingProblem.describe(d))
        }
        // a field the type does not have is a mistake worth naming (a typo would otherwise be
        // dropped silently); `_csrf`, which a page's form data carries, is not one
        if headers.contentType == .json, let buffer = body.data,
           let object = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] {
            let known = SchemaProbe.fields(T.self)
            if let unknown = object.keys.sorted().first(where: { !known.contains($0) && $0 != "_csrf" }) {
                throw KaoheError.invalid("\(unknown.prefix(60)): 未知字段；可用字段：\(known.sorted().joined(separator: ", "))", en: "\(unknown.prefix(60)): unknown field; fields: \(known.sorted().joined(separator: ", "))")
            }
        }
        return value
    }
}

/// A path that exists under other methods answers 405 with `Allow` (issue 20 §2), not 404: the
/// route table is read once, after every route is registered.
struct MethodNotAllowed: AsyncMiddleware {
    final class Table: @unchecked Sendable {
        /// Each route's path and the methods it answers (HEAD wherever GET is).
        let routes: [(path: [PathComponent], methods: Set<String>)]
        /// Paths of constants only (`api/v1/employees/cleanup`) and their methods: such a path
        /// answers only these, even where a parameter route (`employees/:id`) would match it.
        let constants: [String: Set<String>]
        init(_ all: [Route]) {
            var byPath: [String: ([PathComponent], Set<String>)] = [:]
            for r in all {
                let key = r.path.map(\.description).joined(separator: "/")
                var entry = byPath[key] ?? (r.path, [])
                entry.1.insert(r.method.rawValue)
                if r.method == .GET { entry.1.insert("HEAD") }
                byPath[key] = entry
            }
            routes = byPath.values.map { ($0.0, $0.1) }
            var constants: [String: Set<String>] = [:]
            for (key, entry) in byPath where entry.0.allSatisfy({ if case .constant = $0 { return true } else { return false } }) {
                constants[key] = entry.1
            }
            self.constants = constants
        }

        func methods(for path: [Substring]) -> Set<String> {
            var out = Set<String>()
            for r in routes where Self.matches(r.path, path) { out.formUnion(r.methods) }
            return out
        }

        static func matches(_ pattern: [PathComponent], _ path: [Substring]) -> Bool {
            var i = 0
            for (k, c) in pattern.enumerated() {
                switch c {
                case .catchall: return path.count > k
                case .anything, .parameter: guard i < path.count else { return false }
                case .constant(let s): guard i < path.count, path[i] == s[...] else { return false }
                }
                i += 1
            }
            return i == path.count
        }
    }

    struct Key: StorageKey { typealias Value = Table }

    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        if let table = req.application.storage[Key.self] {
            let parts = req.url.path.split(separator: "/")
            let exact = table.constants[parts.joined(separator: "/")]
            guard req.route == nil || exact != nil else { return try await next.respond(to: req) }
            let allowed = exact ?? table.methods(for: parts)
            if !allowed.isEmpty && !allowed.contains(req.method.rawValue) {
                throw Abort(.methodNotAllowed, headers: ["Allow": allowed.sorted().joined(separator: ", ")],
                            reason: "\(req.method.rawValue) 不适用于此地址 not allowed here; allowed: \(allowed.sorted().joined(separator: ", "))")
            }
        }
        return try await next.respond(to: req)
    }
}

/// A body the decoder refused, named as the client wrote it.
enum DecodingProblem {
    /// A decoding error as the client wrote the field (`hire_date`, `values.quality`).
    static func describe(_ e: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String { keys.map { snake($0.stringValue) }.joined(separator: ".") }
        switch e {
        case .keyNotFound(let k, let c): return "\(path(c.codingPath + [k])): 缺少字段 missing field"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\(path(c.codingPath)): 字段类型错误 wrong type"
        case .dataCorrupted(let c): return "\(path(c.codingPath)): 数据无效 invalid data — \(c.debugDescription)"
        @unknown default: return "\(e)"
        }
    }

    /// `hireDate` → `hire_date` (the JSON decoder converts snake_case keys on the way in).
    static func snake(_ s: String) -> String {
        var out = ""
        for ch in s {
            if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }
}

extension Response {
    /// 201 with the created thing as JSON.
    static func created<T: Content>(_ dto: T) throws -> Response {
        let res = Response(status: .created)
        try res.content.encode(dto)
        return res
    }
}

struct RequireHR: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        guard let u = req.auth.get(User.self), Access.canAdminister(u.viewer) else { throw KaoheError.forbidden("仅限人事", en: "HR only") }
        return try await next.respond(to: req)
    }
}
