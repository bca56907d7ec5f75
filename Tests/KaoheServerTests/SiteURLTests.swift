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
    static let pages: [SiteURL] = [
        .home, .login, .logout, .password, .tokens, .tokenRevoke(id), .language, .health, .script, .employee(id), .sheets, .sheet(id),
        .cycles, .cycleStep(id, "publish"), .cycleStep(id, "lock"), .cycleStep(id, "remind"), .calibration(id), .people, .person(id),
        .audit, .retention, .schemes, .scheme("ecommerce-monthly"), .imports, .importCommit, .importRevert(id), .exportDownload,
        .qa, .qaRemove, .reports, .report("ranking"), .api(.me), .api(.employees), .api(.employeeResults(id)), .api(.tokens), .api(.openapi),
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
