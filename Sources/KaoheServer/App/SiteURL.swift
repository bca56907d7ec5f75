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
    case ready
    case metrics
    case script
    case employee(UUID?)
    case sheets
    case sheet(UUID?)
    /// A sheet's monthly record to print (and `?format=pdf`)
    case sheetPrint(UUID?)
    case cycles
    /// `publish`, `lock` or `remind` (HR's cycle-wide steps)
    case cycleStep(UUID?, String?)
    case calibration(UUID?)
    /// Issue 16 §4: what opening a cycle would do (each team's scheme, people, who is left out and why)
    case cyclePreview
    /// Issue 16 §4: each team's (and department's) scheme
    case cycleAssignments
    /// Issue 16 §4: what publishing the cycle will do, to confirm
    case cyclePublishConfirm(UUID?)
    /// Issue 16 §4: HR withdraws one sheet before publication (reason required)
    case sheetWithdraw(UUID?)
    /// A cycle's sheets waiting for the caller's review: approve or return many at once (issue 17 §2)
    case review(UUID?)
    /// The review page's script (select all, the count of sheets chosen)
    case reviewScript
    /// A team's sheets of a cycle on one screen, for their rater (issue 17 §1): cycle, team
    case teamGrid(UUID?, UUID?)
    case people
    case person(UUID?)
    /// HR's organisation (issue 16 §1): departments and teams, people who join, move and leave, accounts
    case organisation
    case orgDepartments
    case orgDepartment(UUID?)
    case orgTeams
    case orgTeam(UUID?)
    case personNew
    case personTransfer(UUID?)
    case personLeave(UUID?)
    case accounts
    case accountsBulk
    case account(UUID?)
    /// `deactivate` or `activate` an account
    case accountState(UUID?)
    case audit
    case retention
    case schemes
    case scheme(String?)
    /// The visual scheme builder (issue 16 §2): a scheme's latest version, or a blank one
    case schemeBuilder(String?)
    case schemeBuilderNew
    /// The builder's JSON posts: `preview` (validate and score a sample), `convert` (JSON ↔ YAML), `save`
    case schemeBuilderStep(String?)
    /// The builder's script
    case schemeBuilderScript
    case imports
    case importCommit
    case importRevert(UUID?)
    case exportDownload
    case qa
    case qaRemove
    case reports
    case report(String?)
    /// A form to print, one A4 page per person for the monthly record (and `?format=pdf`)
    case reportPrint(String?)
    /// Notices (issue 17 §7): HR's settings, marking inbox messages read, one's own e-mail address
    case notifications
    case inboxRead
    case accountEmail
    case api(API)

    /// The JSON API (`/api/v1/…`), by resource; a nil id (or key, kind, form) registers the
    /// parameter the handler reads (`:id`, `:key`, `:kind`, `:form`).
    enum API: Equatable {
        // accounts
        case me
        case tokens
        case token(UUID?)
        case users
        case user(UUID?)
        case userDeactivate(UUID?)
        case userActivate(UUID?)
        // organisation
        case departments
        case teams
        case employees
        case employee(UUID?)
        case employeesCleanup
        case employeeResults(UUID?)
        case employeeEvents(UUID?)
        // evidence and events
        case evidence
        case events
        case event(UUID?)
        // imports and exports
        case imports
        /// `POST /api/v1/imports/:kind`
        case importKind(String?)
        case importBatchRevert(UUID?)
        case importMappings
        case export(String?)
        // schemes
        case schemes
        case scheme(String?)
        case schemeVersions(String?)
        // cycles, sheets and findings
        case cycles
        case cycle(UUID?)
        case cyclePublish(UUID?)
        case cycleLock(UUID?)
        case cycleCalibration(UUID?)
        case cycleRemind(UUID?)
        case sheets
        case sheet(UUID?)
        case sheetPreview(UUID?)
        case sheetActions(UUID?)
        case sheetFindings(UUID?)
        case inbox
        case finding(UUID?)
        case findingJustify(UUID?)
        case findingDecide(UUID?)
        // outcomes
        case outcomes
        // administration
        case audit
        case auditCSV
        case retention
        case retentionArchive
        case retentionPurge
        // the API's own description
        case openapi

        /// The path's segments, `api`, `v1` first; a parameter where the id (or key) is nil.
        var segments: [String] { ["api", "v1"] + tail }

        private var tail: [String] {
            func id(_ u: UUID?) -> String { u?.uuidString ?? ":id" }
            switch self {
            case .me: return ["me"]
            case .tokens: return ["tokens"]
            case .token(let u): return ["tokens", id(u)]
            case .users: return ["users"]
            case .user(let u): return ["users", id(u)]
            case .userDeactivate(let u): return ["users", id(u), "deactivate"]
            case .userActivate(let u): return ["users", id(u), "activate"]
            case .departments: return ["departments"]
            case .teams: return ["teams"]
            case .employees: return ["employees"]
            case .employee(let u): return ["employees", id(u)]
            case .employeesCleanup: return ["employees", "cleanup"]
            case .employeeResults(let u): return ["employees", id(u), "results"]
            case .employeeEvents(let u): return ["employees", id(u), "events"]
            case .evidence: return ["evidence"]
            case .events: return ["events"]
            case .event(let u): return ["events", id(u)]
            case .imports: return ["imports"]
            case .importKind(let kind): return ["imports", kind ?? ":kind"]
            case .importBatchRevert(let u): return ["import-batches", id(u), "revert"]
            case .importMappings: return ["import-mappings"]
            case .export(let form): return ["exports", form ?? ":form"]
            case .schemes: return ["schemes"]
            case .scheme(let key): return ["schemes", key ?? ":key"]
            case .schemeVersions(let key): return ["schemes", key ?? ":key", "versions"]
            case .cycles: return ["cycles"]
            case .cycle(let u): return ["cycles", id(u)]
            case .cyclePublish(let u): return ["cycles", id(u), "publish"]
            case .cycleLock(let u): return ["cycles", id(u), "lock"]
            case .cycleCalibration(let u): return ["cycles", id(u), "calibration"]
            case .cycleRemind(let u): return ["cycles", id(u), "remind"]
            case .sheets: return ["sheets"]
            case .sheet(let u): return ["sheets", id(u)]
            case .sheetPreview(let u): return ["sheets", id(u), "preview"]
            case .sheetActions(let u): return ["sheets", id(u), "actions"]
            case .sheetFindings(let u): return ["sheets", id(u), "findings"]
            case .inbox: return ["inbox"]
            case .finding(let u): return ["findings", id(u)]
            case .findingJustify(let u): return ["findings", id(u), "justify"]
            case .findingDecide(let u): return ["findings", id(u), "decide"]
            case .outcomes: return ["outcomes"]
            case .audit: return ["audit"]
            case .auditCSV: return ["audit.csv"]
            case .retention: return ["retention"]
            case .retentionArchive: return ["retention", "archive"]
            case .retentionPurge: return ["retention", "purge"]
            case .openapi: return ["openapi.json"]
            }
        }
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
        case .ready: return ["readyz"]
        case .metrics: return ["metrics"]
        case .script: return ["assets", "sheet.js"]
        case .employee(let u): return ["employees", id(u)]
        case .sheets: return ["sheets"]
        case .sheet(let u): return ["sheets", id(u)]
        case .sheetPrint(let u): return ["sheets", id(u), "print"]
        case .cycles: return ["cycles"]
        case .cycleStep(let u, let step): return ["cycles", id(u), step ?? ":step"]
        case .calibration(let u): return ["cycles", id(u), "calibration"]
        case .cyclePreview: return ["cycles", "preview"]
        case .cycleAssignments: return ["cycles", "schemes"]
        case .cyclePublishConfirm(let u): return ["cycles", id(u), "publish"]
        case .sheetWithdraw(let u): return ["sheets", id(u), "withdraw"]
        case .review(let u): return ["cycles", id(u), "review"]
        case .reviewScript: return ["assets", "review.js"]
        case .teamGrid(let c, let t): return ["cycles", id(c), "grid", t?.uuidString ?? ":team"]
        case .people: return ["people"]
        case .person(let u): return ["people", id(u)]
        case .organisation: return ["people", "organisation"]
        case .orgDepartments: return ["people", "departments"]
        case .orgDepartment(let u): return ["people", "departments", id(u)]
        case .orgTeams: return ["people", "teams"]
        case .orgTeam(let u): return ["people", "teams", id(u)]
        case .personNew: return ["people", "new"]
        case .personTransfer(let u): return ["people", id(u), "transfer"]
        case .personLeave(let u): return ["people", id(u), "leave"]
        case .accounts: return ["people", "accounts"]
        case .accountsBulk: return ["people", "accounts", "bulk"]
        case .account(let u): return ["people", "accounts", id(u)]
        case .accountState(let u): return ["people", "accounts", id(u), "state"]
        case .audit: return ["audit"]
        case .retention: return ["retention"]
        case .schemes: return ["schemes"]
        case .scheme(let key): return ["schemes", key ?? ":key"]
        case .schemeBuilder(let key): return ["schemes", key ?? ":key", "builder"]
        case .schemeBuilderNew: return ["schemes", "new", "builder"]
        case .schemeBuilderStep(let step): return ["schemes", "builder", step ?? ":step"]
        case .schemeBuilderScript: return ["assets", "scheme-builder.js"]
        case .imports: return ["imports"]
        case .importCommit: return ["imports", "commit"]
        case .importRevert(let u): return ["imports", id(u), "revert"]
        case .exportDownload: return ["exports", "download"]
        case .qa: return ["qa"]
        case .qaRemove: return ["qa", "remove"]
        case .reports: return ["reports"]
        case .report(let form): return ["reports", form ?? ":form"]
        case .reportPrint(let form): return ["reports", form ?? ":form", "print"]
        case .notifications: return ["settings", "notifications"]
        case .inboxRead: return ["inbox", "read"]
        case .accountEmail: return ["account", "email"]
        case .api(let a): return a.segments
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
