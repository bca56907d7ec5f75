import Foundation
import KaoheCore
import Vapor

extension Request {
    /// The reader's language: the account's choice, else the `kaohe_lang` cookie (chosen before
    /// signing in), else 简体中文 — the default whatever the browser's own language (issue 7 §1).
    var language: Language {
        if let l = auth.get(User.self)?.language.flatMap(Language.init(rawValue:)) { return l }
        if let c = cookies[Localize.cookie]?.string, let l = Language(rawValue: c) { return l }
        return .zhHans
    }
}

/// Pages and API error messages in the reader's language (issue 7 §1). Views render Kaohe's
/// Simplified Chinese source texts; this translates the finished page (see `Localizer.html`),
/// so no label is missed by a view that forgot to ask. Outermost middleware: error pages too.
/// Error messages are chosen in the reader's language where they are shown (`KaoheError.message`).
struct Localize: AsyncMiddleware {
    static let cookie = "kaohe_lang"

    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        let res = try await next.respond(to: req)
        let lang = req.language
        res.headers.replaceOrAdd(name: .contentLanguage, value: lang.rawValue)
        if let type = res.headers.contentType, type.type == "text", type.subType == "html", let body = res.body.string {
            var page = Localizer.shared.html(body, lang)
            if lang != .zhHans { page = page.replacingOccurrences(of: "<html lang=\"zh-Hans\">", with: "<html lang=\"\(lang.rawValue)\">") }
            res.body = .init(string: page)
        }
        // an API error's message is already in the reader's language (ErrorPage)
        return res
    }
}

/// `POST /language`: switch the interface language — saved on the account when signed in, and
/// in a cookie (the login page, and the next sign-in on this browser). Back to the page it came from.
struct LanguageController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.grouped(CSRFCheck()).post(SiteURL.language.route, use: change)
    }

    struct Form: Content { var language: String }

    func change(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        guard let lang = Language(rawValue: form.language) else {
            throw KaoheError.badInput("language: 不支持的语言 “\(form.language)”（可选 zh-Hans、zh-Hant、en）")
        }
        if let user = req.auth.get(User.self) {
            let before = user.language
            user.language = lang.rawValue
            try await user.save(on: req.db)
            try await Audit.record(on: req.db, actor: user, action: "update", entity: "user", id: user.username,
                                   before: before.map { "language=\($0)" }, after: "language=\(lang.rawValue)")
        }
        var back = SiteURL.home.path
        if let referer = req.headers.first(name: .referer), let url = URL(string: referer), url.path.hasPrefix("/"), !url.path.hasPrefix("//") {
            back = url.path + (url.query.map { "?\($0)" } ?? "")
        }
        let res = req.redirect(to: back)
        res.cookies[Localize.cookie] = HTTPCookies.Value(string: lang.rawValue, expires: Date().addingTimeInterval(365 * 24 * 3600),
                                                          path: "/", isSecure: req.application.config.secureCookies, isHTTPOnly: true, sameSite: .lax)
        return res
    }
}

extension Request {
    /// An error's message for this reader, to show beside the form that caused it.
    func say(_ error: any AbortError) -> String {
        if let k = error as? KaoheError { return k.message(language) }
        return Localizer.shared.text(error.reason, language)
    }
}
