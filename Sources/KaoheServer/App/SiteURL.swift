import Foundation
import Vapor

/// Every path of the site's pages, in one place (DESIGN.md: typed routes): the same case
/// registers the route and builds the links to it, so a link cannot point at a page that is not
/// there. A `nil` id (or key) is the route's parameter (`:id`); a value makes a link.
enum SiteURL: Equatable {
    case home
    case login
    case logout
    case password
    case tokens
    case tokenRevoke(UUID?)
    case language
    case health
    case script
    case employee(UUID?)
    case sheets
    case sheet(UUID?)
    case cycles
    /// `publish`, `lock` or `remind` (HR's cycle-wide steps)
    case cycleStep(UUID?, String?)
    case calibration(UUID?)
    case people
    case person(UUID?)
    case audit
    case retention
    case schemes
    case scheme(String?)
    case imports
    case importCommit
    case importRevert(UUID?)
    case exportDownload
    case qa
    case qaRemove
    case reports
    case report(String?)
    case api(API)

    enum API: Equatable {
        case me
        case employees
        case employeeResults(UUID)
        case tokens
        case openapi
    }

    /// The path's segments; a parameter where the id is nil.
    var segments: [String] {
        func id(_ u: UUID?) -> String { u?.uuidString ?? ":id" }
        switch self {
        case .home: return []
        case .login: return ["login"]
        case .logout: return ["logout"]
        case .password: return ["account", "password"]
        case .tokens: return ["account", "tokens"]
        case .tokenRevoke(let u): return ["account", "tokens", id(u), "revoke"]
        case .language: return ["language"]
        case .health: return ["healthz"]
        case .script: return ["assets", "sheet.js"]
        case .employee(let u): return ["employees", id(u)]
        case .sheets: return ["sheets"]
        case .sheet(let u): return ["sheets", id(u)]
        case .cycles: return ["cycles"]
        case .cycleStep(let u, let step): return ["cycles", id(u), step ?? ":step"]
        case .calibration(let u): return ["cycles", id(u), "calibration"]
        case .people: return ["people"]
        case .person(let u): return ["people", id(u)]
        case .audit: return ["audit"]
        case .retention: return ["retention"]
        case .schemes: return ["schemes"]
        case .scheme(let key): return ["schemes", key ?? ":key"]
        case .imports: return ["imports"]
        case .importCommit: return ["imports", "commit"]
        case .importRevert(let u): return ["imports", id(u), "revert"]
        case .exportDownload: return ["exports", "download"]
        case .qa: return ["qa"]
        case .qaRemove: return ["qa", "remove"]
        case .reports: return ["reports"]
        case .report(let form): return ["reports", form ?? ":form"]
        case .api(let a):
            switch a {
            case .me: return ["api", "v1", "me"]
            case .employees: return ["api", "v1", "employees"]
            case .employeeResults(let u): return ["api", "v1", "employees", u.uuidString, "results"]
            case .tokens: return ["api", "v1", "tokens"]
            case .openapi: return ["api", "v1", "openapi.json"]
            }
        }
    }

    /// The link: `/sheets/6F…`. A key is percent-encoded as a path segment.
    var path: String {
        "/" + segments.map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/", "?", "#"])) ?? $0 }
            .joined(separator: "/")
    }

    /// The link with a query (`/reports/ranking?period=2026-10`); the values are encoded.
    func path(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return path }
        var c = URLComponents()
        c.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        return path + "?" + (c.percentEncodedQuery ?? "")
    }

    /// The route's components, for registering it (`routes.get(SiteURL.sheet(nil).route, use: …)`).
    var route: [PathComponent] { segments.map { PathComponent(stringLiteral: $0) } }
}
