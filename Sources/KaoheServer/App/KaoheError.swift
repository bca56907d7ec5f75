import Vapor

/// What went wrong, in the domain's terms: services and stores throw these, and one place maps
/// them to HTTP — `ErrorPage` (App/Middleware.swift) answers with the status below and the
/// message in the reader's language (a page, or `{"error", "message"}` for the API).
///
/// Messages are the Chinese text first, then the English (`须说明原因 a reason is required`):
/// the pair is the key the localizer translates (KaoheCore/Locales/messages.tsv).
package enum KaoheError: Error, AbortError, Sendable, Equatable {
    /// The request is malformed: not a period, not a number, an unknown field (400).
    case badInput(String)
    /// Well formed, but a rule refuses it: a reason missing, a value out of range (422).
    case invalid(String)
    /// No such record, or not one the caller may know of (404).
    case notFound(String)
    /// Not the caller's to see or do (403).
    case forbidden(String)
    /// The record's state does not allow it now: published, locked, changed by someone else (409).
    case conflict(String)
    /// Not signed in, or the credentials are wrong (401).
    case unauthorized(String)
    /// More than the limits allow in one request (413).
    case tooLarge(String)
    /// Too many attempts; wait (429).
    case tooMany(String)
    /// A fault of the server, not of the request (500).
    case internalFault(String)

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

    package var reason: String {
        switch self {
        case .badInput(let m), .invalid(let m), .notFound(let m), .forbidden(let m), .conflict(let m),
             .unauthorized(let m), .tooLarge(let m), .tooMany(let m), .internalFault(let m):
            return m
        }
    }
}
