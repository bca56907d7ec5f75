import KaoheCore
import Vapor

/// What went wrong, in the domain's terms: services and stores throw these, and one place maps
/// them to HTTP and to the reader's language — `ErrorPage` (App/Middleware.swift) answers with
/// `status` and `message(_:)` (a page, or `{"error", "message"}` for the API); pages that show an
/// error beside a form ask `Request.say(_:)`, which is the same function. An API caller reading
/// 简体中文 — the default, also for a script that never chose — gets `reason`, both texts.
///
/// A message is Simplified Chinese (the source language of every text, DESIGN.md) and, where the
/// Chinese alone does not translate well, its English, written at the throw: `.invalid("须说明原因",
/// en: "a reason is required")`. 繁體 comes from the Chinese; a message without `en` is translated
/// from the Chinese by the catalogue (KaoheCore/Locales/messages.tsv). Neither text is a key.
package enum KaoheError: Error, AbortError, Sendable, Equatable {
    /// The request is malformed: not a period, not a number, an unknown field (400).
    case badInput(String, en: String? = nil)
    /// Well formed, but a rule refuses it: a reason missing, a value out of range (422).
    case invalid(String, en: String? = nil)
    /// No such record, or not one the caller may know of (404).
    case notFound(String, en: String? = nil)
    /// Not the caller's to see or do (403).
    case forbidden(String, en: String? = nil)
    /// The record's state does not allow it now: published, locked, changed by someone else (409).
    case conflict(String, en: String? = nil)
    /// Not signed in, or the credentials are wrong (401).
    case unauthorized(String, en: String? = nil)
    /// More than the limits allow in one request (413).
    case tooLarge(String, en: String? = nil)
    /// Too many attempts; wait (429).
    case tooMany(String, en: String? = nil)
    /// A fault of the server, not of the request (500).
    case internalFault(String, en: String? = nil)

    package var status: HTTPResponseStatus {
        switch self {
        case .badInput: return .badRequest
        case .invalid: return .unprocessableEntity
        case .notFound: return .notFound
        case .forbidden: return .forbidden
        case .conflict: return .conflict
        case .unauthorized: return .unauthorized
        case .tooLarge: return .payloadTooLarge
        case .tooMany: return .tooManyRequests
        case .internalFault: return .internalServerError
        }
    }

    /// The two texts as written at the throw.
    var texts: (zh: String, en: String?) {
        switch self {
        case .badInput(let z, let e), .invalid(let z, let e), .notFound(let z, let e), .forbidden(let z, let e), .conflict(let z, let e),
             .unauthorized(let z, let e), .tooLarge(let z, let e), .tooMany(let z, let e), .internalFault(let z, let e):
            return (z, e)
        }
    }

    /// The message in the reader's language; for the API in 简体中文, both texts (`reason`).
    package func message(_ lang: Language, api: Bool) -> String {
        api && lang == .zhHans ? reason : message(lang)
    }

    /// The message in the reader's language.
    package func message(_ lang: Language) -> String {
        let (zh, en) = texts
        // a Chinese text may quote the engine's or a parser's own message: the localizer turns those too
        if lang == .en, let en { return Localizer.shared.text(en, .en) }
        return Localizer.shared.text(zh, lang)
    }

    /// Both texts, for the command line, the log and an API caller who has not chosen a language
    /// (whose readers are not known): `period: “13” 不是有效期间 is not a period` — the English
    /// without what it shares with the Chinese at the start (the field, the file and row).
    package var reason: String {
        let (zh, en) = texts
        guard let en else { return zh }
        var shared = zh.commonPrefix(with: en)
        // only whole words: back to the last separator
        while let last = shared.last, !" ,:;".contains(last) { shared.removeLast() }
        return zh + " " + en.dropFirst(shared.count)
    }
}
