import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import KaoheCore
@testable import KaoheDemo
@testable import KaoheServer

@Suite("Kept pages (issue 7 §9): the data version and the page cache")
struct PageCacheTests {
    @Test("least recently used parts leave first when the budget is full; a part too large is not kept; an older version is built again")
    func budget() async throws {
        try await withKaohe { app, _ in
            let cache = PageCache(budget: 4000)
            var built: [String] = []
            func get(_ key: String, _ size: Int) async throws -> String {
                try await cache.html(key, on: app.db) { built.append(key); return String(repeating: "x", count: size) }
            }
            _ = try await get("a", 900); _ = try await get("b", 900); _ = try await get("c", 900)
            _ = try await get("a", 900)                           // a is used again: b is now the oldest
            #expect(built == ["a", "b", "c"])
            _ = try await get("d", 900); _ = try await get("e", 900)   // 4,500 > 4,000: b leaves
            #expect(cache.stats.entries == 4 && cache.stats.bytes == 3600)
            _ = try await get("a", 900); _ = try await get("b", 900)
            #expect(built == ["a", "b", "c", "d", "e", "b"])
            _ = try await get("big", 1001)                        // over a quarter of the budget: served, not kept
            _ = try await get("big", 1001)
            #expect(built.filter { $0 == "big" }.count == 2)
            // any change to a tracked table: everything is built again
            let d = try #require(try await Department.query(on: app.db).first())
            d.name += "（改）"
            try await d.save(on: app.db)
            _ = try await get("a", 900)
            #expect(built.last == "a" && cache.stats.entries == 1)
        }
    }

    @Test("the version moves with inserts, updates and deletes of tracked tables, through Fluent and raw SQL, and not with evidence")
    func version() async throws {
        try await withKaohe { app, org in
            let sql = try #require(app.db as? SQLDatabase)
            let v0 = try #require(try await PageCache.version(on: app.db))
            try await sql.raw("UPDATE employees SET name = name WHERE id = \(bind: org.alice)").run()
            let v1 = try #require(try await PageCache.version(on: app.db))
            #expect(v1 > v0)
            let t = Team(name: "夜班", departmentId: org.deptA)
            try await t.save(on: app.db)
            let v2 = try #require(try await PageCache.version(on: app.db))
            #expect(v2 > v1)
            try await t.delete(on: app.db)
            let v3 = try #require(try await PageCache.version(on: app.db))
            #expect(v3 > v2)
            // an UPDATE that touches no row changes nothing (on PostgreSQL a statement trigger would)
            try await sql.raw("UPDATE inbox SET read_at = read_at WHERE read_at IS NULL AND user_id IS NULL").run()
            #expect(try await PageCache.version(on: app.db) == v3)
            let scheme = SchemeVersion(key: "k", version: 1, name: "方案", text: "", preset: nil, departmentId: nil, createdBy: nil)
            try await scheme.save(on: app.db)
            let v4 = try #require(try await PageCache.version(on: app.db))
            try await EvidenceEntry(employeeId: org.alice, schemeId: try scheme.requireID(), period: "2026-10", column: "x", value: "1", recordedBy: nil).save(on: app.db)
            #expect(try await PageCache.version(on: app.db) == v4)
        }
    }
}

@Suite("Kept pages through HTTP (issue 7 §9)", .serialized)
struct PageCacheHTTPTests {
    /// The demo company, as the role pages' tests load it.
    func withDemo(_ body: (Application) async throws -> Void) async throws { try await RolePagesTests().withDemo(body) }

    @Test("a kept ranking is served again until a total changes, by any route; access is checked on every request")
    func ranking() async throws {
        try await withDemo { app in
            var manager = try await Browser.signIn(app, "manager1", password: Demo.password).0
            let path = "reports/ranking?period=2026-10"
            let first = try await RolePagesTests.page(app, &manager, path)
            #expect(first.status == .ok)
            let hits = app.pageCache.stats.hits
            let again = try await RolePagesTests.page(app, &manager, path)
            #expect(app.pageCache.stats.hits == hits + 1)
            #expect(again.body.string == first.body.string)
            // a total changed behind the application's back (another process, a repair in SQL)
            let manager1 = try #require(try await User.query(on: app.db).filter(\.$username == "manager1").first())
            let dept = try #require(manager1.$department.id)
            let someone = try #require(try await Employee.query(on: app.db).filter(\.$department.$id == dept).filter(\.$number != "").all()
                .asyncFirst { e in try await StoredResult.query(on: app.db).filter(\.$employee.$id == e.requireID()).filter(\.$period == "2026-10").first() != nil })
            #expect(!first.body.string.contains("12.34"))
            let sql = try #require(app.db as? SQLDatabase)
            try await sql.raw("UPDATE results SET total = '12.34' WHERE employee_id = \(bind: someone.requireID()) AND period = '2026-10'").run()
            let changed = try await RolePagesTests.page(app, &manager, path).body.string
            #expect(changed.contains("12.34"))
            // a rename through the application reaches the star board and the home
            _ = try await RolePagesTests.page(app, &manager, "reports/star-board?period=2026-10")
            _ = try await RolePagesTests.page(app, &manager, "")
            someone.name = "欧阳·测试改名"
            try await someone.save(on: app.db)
            #expect(try await RolePagesTests.page(app, &manager, "reports/star-board?period=2026-10").body.string.contains("欧阳·测试改名"))
            #expect(try await RolePagesTests.page(app, &manager, path).body.string.contains("欧阳·测试改名"))
            // the kept page is not a way around access: an agent and a lead are refused, HR sees the company
            var agent = try await Browser.signIn(app, "agent1", password: Demo.password).0
            #expect(try await RolePagesTests.page(app, &agent, path).status == .forbidden)
            var lead = try await Browser.signIn(app, "lead11", password: Demo.password).0
            #expect(try await RolePagesTests.page(app, &lead, path).status == .forbidden)
            var hr = try await Browser.signIn(app, "hr", password: Demo.password).0
            let company = try await RolePagesTests.page(app, &hr, path).body.string
            #expect(company.contains("全公司") && !changed.contains("全公司"))
            // each reader's own header and token around the kept table
            #expect(company.contains(hr.csrf) && !company.contains(manager.csrf))
        }
    }

    @Test("a manager's sheet list and home follow a cycle opened and a person renamed at once")
    func sheetsFollow() async throws {
        try await withDemo { app in
            var manager = try await Browser.signIn(app, "manager1", password: Demo.password).0
            let empty = try await RolePagesTests.page(app, &manager, "sheets").body.string
            _ = try await RolePagesTests.page(app, &manager, "sheets")
            let home = try await RolePagesTests.page(app, &manager, "").body.string
            let hrUser = try #require(try await User.query(on: app.db).filter(\.$username == "hr").first())
            _ = try await CycleService.open(.init(scheme: "ecommerce-monthly", period: "2026-11", departmentId: nil, teamIds: nil), user: hrUser, config: app.config, db: app.db)
            let listed = try await RolePagesTests.page(app, &manager, "sheets").body.string
            #expect(listed != empty && listed.contains("2026-11"))
            // the home's ranking names people: a rename shows at once
            let ranked = try #require(try await StoredResult.query(on: app.db).filter(\.$period == "2026-10").with(\.$employee).all()
                .first { home.contains($0.employee.name) }).employee
            ranked.name = "司马·改名测试"
            try await ranked.save(on: app.db)
            #expect(try await RolePagesTests.page(app, &manager, "").body.string.contains("司马·改名测试"))
        }
    }
}

extension Array {
    func asyncFirst(where match: (Element) async throws -> Bool) async rethrows -> Element? {
        for e in self where try await match(e) { return e }
        return nil
    }
}
