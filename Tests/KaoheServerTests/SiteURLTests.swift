import Foundation
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

/// SiteURL registers the pages and builds the links to them (issue 15): every link it can make is
/// a registered route, and the links carry the ids given.
@Suite("Typed paths")
struct SiteURLTests {
    static let id = UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF")!
    static let pages: [SiteURL] = webPages + apiLinks.map(SiteURL.api)
    static let webPages: [SiteURL] = [
        .home, .login, .logout, .password, .tokens, .tokenRevoke(id), .language, .health, .script, .employee(id), .sheets, .sheet(id),
        .cycles, .cycleStep(id, "publish"), .cycleStep(id, "lock"), .cycleStep(id, "remind"), .calibration(id), .review(id), .teamGrid(id, id), .reviewScript, .people, .person(id),
        .organisation, .orgDepartments, .orgDepartment(id), .orgTeams, .orgTeam(id), .personNew, .personTransfer(id), .personLeave(id),
        .accounts, .accountsBulk, .account(id), .accountState(id),
        .cyclePreview, .cycleAssignments, .cyclePublishConfirm(id), .sheetWithdraw(id),
        .audit, .retention, .schemes, .scheme("ecommerce-monthly"), .imports, .importCommit, .importRevert(id), .exportDownload,
        .schemeBuilder("ecommerce-monthly"), .schemeBuilderNew, .schemeBuilderStep("preview"), .schemeBuilderStep("convert"), .schemeBuilderStep("save"), .schemeBuilderScript,
        .qa, .qaRemove, .reports, .report("ranking"), .ready, .metrics, .sheetPrint(id), .reportPrint("monthly-record"), .notifications, .inboxRead, .accountEmail,
    ]

    /// One link of each API path, with ids and keys.
    static let apiLinks: [SiteURL.API] = [
        .me, .tokens, .token(id), .users, .user(id), .userDeactivate(id), .userActivate(id),
        .departments, .teams, .employees, .employee(id), .employeesCleanup, .employeeResults(id), .employeeEvents(id),
        .evidence, .events, .event(id), .imports, .importKind("kpi"), .importBatchRevert(id), .importMappings, .export("ranking"),
        .schemes, .scheme("ecommerce-monthly"), .schemeVersions("ecommerce-monthly"),
        .cycles, .cycle(id), .cyclePublish(id), .cycleLock(id), .cycleCalibration(id), .cycleRemind(id),
        .sheets, .sheet(id), .sheetPreview(id), .sheetActions(id), .sheetFindings(id), .inbox,
        .finding(id), .findingJustify(id), .findingDecide(id), .outcomes,
        .audit, .auditCSV, .retention, .retentionArchive, .retentionPurge, .openapi,
    ]

    /// Every route, in the form that registers it (nil ids and keys: the parameters).
    static let routes: [SiteURL] = webRoutes + apiRoutes.map(SiteURL.api)
    static let webRoutes: [SiteURL] = [
        .home, .login, .logout, .password, .tokens, .tokenRevoke(nil), .language, .health, .ready, .metrics, .script,
        .employee(nil), .sheets, .sheet(nil), .cycles, .cycleStep(nil, nil), .calibration(nil), .review(nil), .teamGrid(nil, nil), .reviewScript, .people, .person(nil),
        .organisation, .orgDepartments, .orgDepartment(nil), .orgTeams, .orgTeam(nil), .personNew, .personTransfer(nil), .personLeave(nil),
        .accounts, .accountsBulk, .account(nil), .accountState(nil),
        .cyclePreview, .cycleAssignments, .cyclePublishConfirm(nil), .sheetWithdraw(nil),
        .audit, .retention, .schemes, .scheme(nil), .imports, .importCommit, .importRevert(nil), .exportDownload,
        .schemeBuilder(nil), .schemeBuilderNew, .schemeBuilderStep(nil), .schemeBuilderScript,
        .qa, .qaRemove, .reports, .report(nil), .sheetPrint(nil), .reportPrint(nil), .notifications, .inboxRead, .accountEmail,
    ]

    static let apiRoutes: [SiteURL.API] = [
        .me, .tokens, .token(nil), .users, .user(nil), .userDeactivate(nil), .userActivate(nil),
        .departments, .teams, .employees, .employee(nil), .employeesCleanup, .employeeResults(nil), .employeeEvents(nil),
        .evidence, .events, .event(nil), .imports, .importKind(nil), .importBatchRevert(nil), .importMappings, .export(nil),
        .schemes, .scheme(nil), .schemeVersions(nil),
        .cycles, .cycle(nil), .cyclePublish(nil), .cycleLock(nil), .cycleCalibration(nil), .cycleRemind(nil),
        .sheets, .sheet(nil), .sheetPreview(nil), .sheetActions(nil), .sheetFindings(nil), .inbox,
        .finding(nil), .findingJustify(nil), .findingDecide(nil), .outcomes,
        .audit, .auditCSV, .retention, .retentionArchive, .retentionPurge, .openapi,
    ]

    @Test("every link SiteURL makes is a route the server has")
    func everyLinkIsARoute() async throws {
        try await withKaohe { app, _ in
            let routes = app.routes.all.map(\.path)
            for page in Self.pages {
                let segments = page.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
                let found = routes.contains { path in
                    path.count == segments.count && zip(path, segments).allSatisfy { c, s in
                        switch c { case .constant(let k): return k == s; case .parameter: return true; default: return false }
                    }
                }
                #expect(found, "\(page.path) has no route")
            }
        }
    }

    @Test("every route the server registers is a SiteURL route, parameter names and all")
    func everyRouteIsTyped() async throws {
        try await withKaohe { app, _ in
            func show(_ paths: Set<[String]>) -> String { paths.map { "/" + $0.joined(separator: "/") }.sorted().joined(separator: ", ") }
            let registered = Set(app.routes.all.map { $0.path.map(\.description) })
            let typed = Set(Self.routes.map { $0.route.map(\.description) })
            #expect(registered.subtracting(typed).isEmpty, "registered without SiteURL: \(show(registered.subtracting(typed)))")
            #expect(typed.subtracting(registered).isEmpty, "SiteURL routes with no registration: \(show(typed.subtracting(registered)))")
            // the API's routes are the paths its document describes (`{id}` for `:id`), but the document itself
            let api = Set(Self.apiRoutes.filter { $0 != .openapi }.map { a in
                "/" + SiteURL.api(a).route.map { c -> String in
                    if case .parameter(let p) = c { return "{\(p)}" }
                    return c.description
                }.joined(separator: "/")
            })
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPI.document.utf8)) as? [String: Any])
            let paths = try #require(doc["paths"] as? [String: Any])
            let documented = Set(paths.keys)
            #expect(api == documented, "SiteURL.API: \(api.subtracting(documented).sorted()); documented only: \(documented.subtracting(api).sorted())")
        }
    }

    @Test("API links carry their ids and keys under /api/v1; the route form has the handlers' parameters")
    func apiPaths() {
        let u = Self.id, s = Self.id.uuidString
        #expect(SiteURL.api(.cyclePublish(u)).path == "/api/v1/cycles/\(s)/publish")
        #expect(SiteURL.api(.cyclePublish(nil)).route.map(\.description) == ["api", "v1", "cycles", ":id", "publish"])
        #expect(SiteURL.api(.sheetPreview(u)).path == "/api/v1/sheets/\(s)/preview")
        #expect(SiteURL.api(.sheet(nil)).route.map(\.description) == ["api", "v1", "sheets", ":id"])
        #expect(SiteURL.api(.findingDecide(u)).path == "/api/v1/findings/\(s)/decide")
        #expect(SiteURL.api(.token(u)).path == "/api/v1/tokens/\(s)")
        #expect(SiteURL.api(.userDeactivate(nil)).route.map(\.description) == ["api", "v1", "users", ":id", "deactivate"])
        #expect(SiteURL.api(.employeeResults(u)).path == "/api/v1/employees/\(s)/results")
        #expect(SiteURL.api(.employeeEvents(nil)).route.map(\.description) == ["api", "v1", "employees", ":id", "events"])
        #expect(SiteURL.api(.employeesCleanup).path == "/api/v1/employees/cleanup")
        #expect(SiteURL.api(.importBatchRevert(u)).path == "/api/v1/import-batches/\(s)/revert")
        #expect(SiteURL.api(.importKind(nil)).route.map(\.description) == ["api", "v1", "imports", ":kind"])
        #expect(SiteURL.api(.importKind("kpi")).path == "/api/v1/imports/kpi")
        #expect(SiteURL.api(.export(nil)).route.map(\.description) == ["api", "v1", "exports", ":form"])
        #expect(SiteURL.api(.schemeVersions("ecommerce-monthly")).path == "/api/v1/schemes/ecommerce-monthly/versions")
        #expect(SiteURL.api(.scheme(nil)).route.map(\.description) == ["api", "v1", "schemes", ":key"])
        #expect(SiteURL.api(.auditCSV).path([("limit", "5000")]) == "/api/v1/audit.csv?limit=5000")
        #expect(SiteURL.api(.retentionArchive).path == "/api/v1/retention/archive")
        #expect(SiteURL.api(.me).path == "/api/v1/me" && SiteURL.api(.openapi).path == "/api/v1/openapi.json")
        #expect(SiteURL.ready.path == "/readyz" && SiteURL.metrics.path == "/metrics" && SiteURL.health.path == "/healthz")
        for a in Self.apiRoutes { #expect(Array(a.segments.prefix(2)) == ["api", "v1"], "\(a)") }
    }

    @Test("links carry their ids and keys; the route form has parameters")
    func links() {
        #expect(SiteURL.sheet(Self.id).path == "/sheets/6F9619FF-8B86-D011-B42D-00C04FC964FF")
        #expect(SiteURL.sheet(nil).route.map(\.description) == ["sheets", ":id"])
        #expect(SiteURL.cycleStep(Self.id, "lock").path == "/cycles/6F9619FF-8B86-D011-B42D-00C04FC964FF/lock")
        #expect(SiteURL.cycleStep(nil, nil).route.map(\.description) == ["cycles", ":id", ":step"])
        #expect(SiteURL.home.path == "/" && SiteURL.report("star-board").path == "/reports/star-board")
        #expect(SiteURL.report("ranking").path([("period", "2026-10"), ("department", "电商 客服")]) == "/reports/ranking?period=2026-10&department=%E7%94%B5%E5%95%86%20%E5%AE%A2%E6%9C%8D")
        // a key is one path segment however it is written
        #expect(SiteURL.scheme("a/b?c").path == "/schemes/a%2Fb%3Fc")
    }
}
