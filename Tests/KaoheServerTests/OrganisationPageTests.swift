import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import KaoheCore
@testable import KaoheDemo
@testable import KaoheServer

/// HR sets up the organisation and the accounts in the browser (issue 16 §1): departments and
/// teams with leaders, people who join, move and leave (audited, in their history, leavers out
/// of the next cycle), accounts one at a time or in bulk with passwords shown once, role changes,
/// deactivation; the roster import creating the departments and teams it names. HR only.
@Suite("Organisation and accounts in the browser (issue 16 §1)", .serialized)
struct OrganisationPageTests {
    static func form(_ app: Application, _ b: Browser, _ path: String, _ fields: [(String, String)]) async throws -> TestingHTTPResponse {
        try await b.post(app, path, fields)
    }

    static func page(_ app: Application, _ b: inout Browser, _ path: String) async throws -> TestingHTTPResponse {
        try await b.open(app, path)
    }

    /// The one-time passwords on a page (the sheet's password cells).
    static func passwords(_ html: String) -> [String] {
        html.matches(of: #/class="pw" translate="no">([^<]+)</#).map { String($0.1) }
    }

    static func person(_ app: Application, _ name: String) async throws -> Employee {
        try #require(try await Employee.query(on: app.db).filter(\.$name == name).first(), "no person \(name)")
    }

    @Test("HR creates a department, a team with a leader, people; transfers one (audited, in the history) and marks a leaver, who gets no sheet in the next cycle; duplicates are refused at their field")
    func organisation() async throws {
        try await withKaohe { app, org in
            var hr = try await Browser.signIn(app, "hr").0
            #expect(try await Self.page(app, &hr, "people/organisation").status == .ok)
            // a department
            let dept = try await Self.form(app, hr, "people/departments", [("code", "03"), ("name", "客服中心")])
            #expect(dept.status == .ok && dept.body.string.contains("已新建部门 03 客服中心"), "\(dept.body.string)")
            let centre = try #require(try await Department.query(on: app.db).filter(\.$name == "客服中心").first())
            #expect(centre.code == "03")
            let made = try #require(try await AuditEntry.query(on: app.db).filter(\.$entity == "department").filter(\.$action == "create").first())
            #expect(made.actorName == "hr" && made.entityId == "客服中心" && made.after == "code=03 name=客服中心")
            // the same name again: refused at the name field, the code typed kept, nothing made
            let again = try await Self.form(app, hr, "people/departments", [("code", "04"), ("name", "客服中心")])
            #expect(again.status == .conflict && again.body.string.contains("id=\"err-dept-new-name\"") && again.body.string.contains("已有部门“客服中心”"))
            #expect(again.body.string.contains("value=\"04\""))
            #expect(try await Department.query(on: app.db).count() == 3)
            // a team; the same team name in the department refused at its field
            let team = try await Self.form(app, hr, "people/teams", [("department", centre.id!.uuidString), ("name", "售后组"), ("leader", "")])
            #expect(team.status == .ok && team.body.string.contains("已新建班组 售后组"))
            let afterSales = try #require(try await Team.query(on: app.db).filter(\.$name == "售后组").first())
            let twice = try await Self.form(app, hr, "people/teams", [("department", centre.id!.uuidString), ("name", "售后组"), ("leader", "")])
            #expect(twice.status == .conflict && twice.body.string.contains("id=\"err-team-new-name\"") && twice.body.string.contains("已有班组“售后组”"))
            #expect(try await Team.query(on: app.db).filter(\.$name == "售后组").count() == 1)
            // people, numbered 1 + 03 + sequence (R-002-35 a)
            for name in ["王五", "赵六", "孙七", "周九"] {
                let res = try await Self.form(app, hr, "people/new", [("number", ""), ("name", name), ("position", "客服专员"), ("hire_date", "2025-01-06"),
                                                                      ("probation_end", ""), ("department", centre.id!.uuidString), ("team", afterSales.id!.uuidString)])
                #expect(res.status == .seeOther, "\(name): \(res.body.string)")
            }
            let wang = try await Self.person(app, "王五"), zhao = try await Self.person(app, "赵六")
            let sun = try await Self.person(app, "孙七"), zhou = try await Self.person(app, "周九")
            #expect([wang.number, zhao.number, sun.number, zhou.number] == ["103001", "103002", "103003", "103004"])
            // a 工号 in use: refused at the 工号 field, what was typed kept
            let taken = try await Self.form(app, hr, "people/new", [("number", "103001"), ("name", "钱八"), ("position", "客服专员"), ("hire_date", "2025-01-06"),
                                                                    ("department", centre.id!.uuidString), ("team", "")])
            #expect(taken.status == .conflict && taken.body.string.contains("id=\"err-person-new-number\"") && taken.body.string.contains("工号 103001 已被“王五”使用"))
            #expect(taken.body.string.contains("value=\"钱八\""))
            #expect(try await Employee.query(on: app.db).count() == 8)
            // the leader: 王五 gets an account, then leads 售后组 (his account becomes the team's lead)
            let account = try await Self.form(app, hr, "people/accounts", [("employee", wang.id!.uuidString), ("username", ""), ("role", "agent")])
            #expect(account.status == .ok && Self.passwords(account.body.string).count == 1)
            let led = try await Self.form(app, hr, "people/teams/\(afterSales.id!)", [("name", "售后组"), ("department", centre.id!.uuidString), ("leader", wang.id!.uuidString)])
            #expect(led.status == .ok && led.body.string.contains("已更换组长"), "\(led.body.string)")
            #expect(try await Team.find(afterSales.id, on: app.db)?.leaderId == wang.id)
            let wangUser = try #require(try await User.query(on: app.db).filter(\.$username == "103001").first())
            #expect(wangUser.role == .lead && wangUser.$team.id == afterSales.id && wangUser.$department.id == centre.id)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entity == "permission").filter(\.$entityId == "103001").filter(\.$reason == "任命为班组“售后组”组长").count() == 1)
            // a transfer needs a reason; then 赵六 moves to 客服一部 / 一组 from December
            let noReason = try await Self.form(app, hr, "people/\(zhao.id!)/transfer", [("team", org.team1.uuidString), ("effective", "2026-12"), ("reason", " ")])
            #expect(noReason.status == .unprocessableEntity && noReason.body.string.contains("id=\"err-transfer-reason\""))
            #expect(try await Employee.find(zhao.id, on: app.db)?.$team.id == afterSales.id)
            let moved = try await Self.form(app, hr, "people/\(zhao.id!)/transfer", [("team", org.team1.uuidString), ("effective", "2026-12"), ("reason", "支援售前")])
            #expect(moved.status == .ok && moved.body.string.contains("已调入 客服一部 / 一组，2026-12 起生效"), "\(moved.body.string)")
            let zhaoNow = try #require(try await Employee.find(zhao.id, on: app.db))
            #expect(zhaoNow.$team.id == org.team1 && zhaoNow.$department.id == org.deptA)
            let transfer = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "transfer").filter(\.$entityId == "103002").first())
            #expect(transfer.actorName == "hr" && transfer.reason == "支援售前")
            #expect(transfer.before == "department=客服中心 team=售后组 superior=-" && transfer.after == "department=客服一部 team=一组 effective=2026-12")
            let history = try await Self.page(app, &hr, "people/\(zhao.id!)")
            #expect(history.body.string.contains("<td>调动</td>") && history.body.string.contains("支援售前") && history.body.string.contains("effective=2026-12"))
            // 孙七 leaves: a day and a reason needed
            let noDay = try await Self.form(app, hr, "people/\(sun.id!)/leave", [("left_on", "2026-11-31"), ("reason", "个人原因")])
            #expect(noDay.status == .unprocessableEntity && noDay.body.string.contains("id=\"err-leave-left_on\""))
            let left = try await Self.form(app, hr, "people/\(sun.id!)/leave", [("left_on", "2026-11-15"), ("reason", "个人原因")])
            #expect(left.status == .ok && left.body.string.contains("已离职 2026-11-15") && left.body.string.contains("个人原因"))
            let sunNow = try #require(try await Employee.find(sun.id, on: app.db))
            #expect(sunNow.status == .left && sunNow.leftOn == "2026-11-15" && sunNow.leaveReason == "个人原因")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "leave").filter(\.$entityId == "103003").filter(\.$reason == "个人原因").count() == 1)
            // the cycle opened after: 周九 rated by 王五; 孙七 (left) and 王五 (no one above him) get none, each listed with why
            _ = try await EvidenceTests.preset(app, "weighted-template")
            let hrUser = try #require(try await User.query(on: app.db).filter(\.$username == "hr").first())
            let cycle = try await CycleService.open(.init(scheme: "weighted-template", period: "2026-11", departmentId: centre.id, teamIds: nil),
                                                    user: hrUser, config: app.config, db: app.db)
            let sheets = try await Sheet.query(on: app.db).filter(\.$cycle.$id == cycle.id).all()
            #expect(sheets.map { $0.$employee.id } == [zhou.id!])
            #expect(sheets.first?.raterId == wangUser.id)
            #expect(cycle.excluded["103003"] != nil && cycle.excluded["103001"] != nil, "\(cycle.excluded)")
        }
    }

    @Test("accounts in bulk: N passwords shown once, not on a second visit; each must change it at first sign-in; role change; deactivation refuses sign-in")
    func accounts() async throws {
        try await withKaohe { app, org in
            var hr = try await Browser.signIn(app, "hr").0
            _ = try await Self.page(app, &hr, "people/accounts")
            for name in ["新人甲", "新人乙"] {
                let res = try await Self.form(app, hr, "people/new", [("name", name), ("position", "客服专员"), ("hire_date", "2026-09-01"),
                                                                      ("department", org.deptB.uuidString), ("team", org.team3.uuidString)])
                #expect(res.status == .seeOther)
            }
            // 客服二部: 戴夫 and the two newcomers have no account
            let bulk = try await Self.form(app, hr, "people/accounts/bulk", [("department", org.deptB.uuidString), ("team", "")])
            #expect(bulk.status == .ok && bulk.headers.first(name: .cacheControl) == "no-store")
            let passwords = Self.passwords(bulk.body.string)
            #expect(passwords.count == 3 && Set(passwords).count == 3 && passwords.allSatisfy { $0.count == 16 })
            #expect(bulk.body.string.contains("已创建 3 个账号") && bulk.body.string.contains("102001") && bulk.body.string.contains("102002") && bulk.body.string.contains("102003"))
            let made = try await User.query(on: app.db).filter(\.$username ~~ ["102001", "102002", "102003"]).all()
            #expect(made.count == 3 && made.allSatisfy { $0.mustChangePassword && $0.role == .agent && $0.$employee.id != nil && $0.$department.id == org.deptB })
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entity == "permission").filter(\.$reason == "批量创建账号").count() == 3)
            // a second visit shows no password; the account list never a hash
            let later = try await Self.page(app, &hr, "people/accounts/bulk")
            #expect(later.status == .ok && Self.passwords(later.body.string).isEmpty && passwords.allSatisfy { !later.body.string.contains($0) })
            #expect(later.body.string.contains("初始密码只在创建账号时显示一次"))
            let list = try await Self.page(app, &hr, "people/accounts")
            #expect(!list.body.string.contains("$2b$") && !list.body.string.contains("$2a$") && passwords.allSatisfy { !list.body.string.contains($0) })
            // once more: nobody left without an account
            let none = try await Self.form(app, hr, "people/accounts/bulk", [("department", org.deptB.uuidString), ("team", "")])
            #expect(none.status == .unprocessableEntity && none.body.string.contains("每位在职员工都已有账号"))
            #expect(try await User.query(on: app.db).count() == 8)
            // 戴夫's first sign-in goes to the password page
            let daveIndex = try #require(bulk.body.string.range(of: "102001"))
            let davePassword = try #require(Self.passwords(String(bulk.body.string[daveIndex.lowerBound...])).first)
            let (dave, signed) = try await Browser.signIn(app, "102001", password: davePassword)
            #expect(signed == .seeOther)
            try await app.testing().test(.GET, "/", headers: dave.headers) { res in
                #expect(res.status == .seeOther && res.headers.first(name: .location) == SiteURL.password.path)
            }
            // a role change needs a reason; with one, audited
            let daveUser = try #require(made.first { $0.username == "102001" })
            let path = "people/accounts/\(daveUser.id!)"
            let bare = try await Self.form(app, hr, path, [("role", "lead"), ("team", org.team3.uuidString), ("department", org.deptB.uuidString), ("reason", "")])
            #expect(bare.status == .unprocessableEntity && bare.body.string.contains("id=\"err-account-\(daveUser.id!.uuidString)-reason\""))
            #expect(try await User.find(daveUser.id, on: app.db)?.role == .agent)
            let promoted = try await Self.form(app, hr, path, [("role", "lead"), ("team", org.team3.uuidString), ("department", org.deptB.uuidString), ("reason", "任命组长")])
            #expect(promoted.status == .ok && promoted.body.string.contains("已修改 102001 的角色和范围：组长"))
            let lead = try #require(try await User.find(daveUser.id, on: app.db))
            #expect(lead.role == .lead && lead.$team.id == org.team3 && lead.$department.id == org.deptB)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entity == "permission").filter(\.$entityId == "102001").filter(\.$reason == "任命组长").count() == 1)
            // deactivation: sign-in refused; reactivation lets it in again
            let off = try await Self.form(app, hr, "\(path)/state", [("action", "deactivate"), ("reason", "长期病假")])
            #expect(off.status == .ok && off.body.string.contains("已停用 102001"))
            #expect(try await User.find(daveUser.id, on: app.db)?.active == false)
            #expect(try await Browser.signIn(app, "102001", password: davePassword).1 == .unauthorized)
            let on = try await Self.form(app, hr, "\(path)/state", [("action", "activate"), ("reason", "返岗")])
            #expect(on.status == .ok && on.body.string.contains("已启用 102001"))
            #expect(try await Browser.signIn(app, "102001", password: davePassword).1 == .seeOther)
        }
    }

    @Test("the roster import previews the departments and teams it will create, creates them on commit (audited) and removes them on revert")
    func rosterCreatesUnits() async throws {
        try await withKaohe { app, _ in
            let (hr, _) = try await Browser.signIn(app, "hr")
            let csv = """
            工号,姓名,部门,班组,岗位,入职日期
            105001,新员工甲,客服中心,售后一组,客服专员,2026-10-08
            105002,新员工乙,客服一部,夜班组,客服专员,2026-10-08
            """
            try await ImportKindsTests.post(app, hr, "api/v1/imports/roster?file=roster.csv&dry_run=true", Data(csv.utf8)) { res in
                let p = try ImportKindsTests.preview(res)
                #expect(!p.committed && p.created == 2)
                #expect(p.notices.contains("将新建部门：客服中心（代码 03）"), "\(p.notices)")
                #expect(p.notices.contains("将新建班组：客服中心 / 售后一组、客服一部 / 夜班组"), "\(p.notices)")
                #expect(p.changes.contains { $0.employee == "105001" && $0.field == "department" && $0.after == "客服中心" })
            }
            let unitsBefore = [try await Department.query(on: app.db).count(), try await Team.query(on: app.db).count()]
            #expect(unitsBefore == [2, 3])
            var batch: UUID?
            try await ImportKindsTests.post(app, hr, "api/v1/imports/roster?file=roster.csv&dry_run=false", Data(csv.utf8)) { res in
                let p = try ImportKindsTests.preview(res)
                #expect(p.committed && p.notices.contains("已新建部门：客服中心（代码 03）"))
                batch = p.id
            }
            let centre = try #require(try await Department.query(on: app.db).filter(\.$name == "客服中心").first())
            #expect(centre.code == "03")
            let afterSales = try #require(try await Team.query(on: app.db).filter(\.$name == "售后一组").first())
            #expect(afterSales.$department.id == centre.id)
            let newcomer = try await Self.person(app, "新员工甲")
            #expect(newcomer.$department.id == centre.id && newcomer.$team.id == afterSales.id)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entity == "department").filter(\.$entityId == "客服中心").filter(\.$reason == "导入花名册 roster.csv").count() == 1)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entity == "team").filter(\.$reason == "导入花名册 roster.csv").count() == 2)
            // the revert takes the people, the teams and the department away again
            try await ImportKindsTests.revert(app, hr, try #require(batch)) { res in #expect(res.status == .ok, "\(res.body.string)") }
            let unitsAfter = [try await Department.query(on: app.db).count(), try await Team.query(on: app.db).count()]
            #expect(unitsAfter == [2, 3])
            #expect(try await Employee.query(on: app.db).filter(\.$number ~~ ["105001", "105002"]).count() == 0)
        }
    }

    @Test("agents, leads, managers and QA inspectors get 403 on every page and form of the organisation, and nothing changes")
    func onlyHR() async throws {
        try await withKaohe { app, org in
            let alice = try #require(try await User.query(on: app.db).filter(\.$username == "alice").first())
            func counts() async throws -> [Int] {
                [try await Department.query(on: app.db).count(), try await Team.query(on: app.db).count(), try await Employee.query(on: app.db).count(),
                 try await User.query(on: app.db).count(), try await AuditEntry.query(on: app.db).filter(\.$action != "login").count()]
            }
            let before = try await counts()
            let posts: [(String, [(String, String)])] = [
                ("people/departments", [("code", "07"), ("name", "新部门")]),
                ("people/departments/\(org.deptA)", [("code", "01"), ("name", "改名")]),
                ("people/teams", [("department", org.deptA.uuidString), ("name", "新组"), ("leader", "")]),
                ("people/teams/\(org.team1)", [("name", "改名"), ("department", org.deptA.uuidString), ("leader", org.bob.uuidString)]),
                ("people/new", [("name", "某人"), ("position", "客服专员"), ("hire_date", "2026-01-05"), ("department", org.deptA.uuidString)]),
                ("people/\(org.alice)/transfer", [("team", org.team2.uuidString), ("effective", "2026-12"), ("reason", "调动")]),
                ("people/\(org.alice)/leave", [("left_on", "2026-11-30"), ("reason", "离职")]),
                ("people/accounts", [("employee", org.dave.uuidString), ("role", "hr")]),
                ("people/accounts/bulk", [("department", ""), ("team", "")]),
                ("people/accounts/\(alice.id!)", [("role", "hr"), ("team", ""), ("department", ""), ("reason", "提权")]),
                ("people/accounts/\(alice.id!)/state", [("action", "deactivate"), ("reason", "停用")]),
            ]
            for role in ["alice", "bob", "mgr", "carol"] {
                var b = try await Browser.signIn(app, role).0
                for page in ["people/organisation", "people/new", "people/accounts", "people/accounts/bulk"] {
                    #expect(try await Self.page(app, &b, page).status == .forbidden, "\(role) GET \(page)")
                }
                for (path, fields) in posts {
                    let res = try await Self.form(app, b, path, fields)
                    #expect(res.status == .forbidden, "\(role) POST \(path) → \(res.status.code)")
                }
            }
            #expect(try await counts() == before)
            #expect(try await User.find(alice.id, on: app.db)?.role == .agent)
            #expect(try await Employee.find(org.alice, on: app.db)?.status == .active)
            #expect(try await Department.find(org.deptA, on: app.db)?.name == "客服一部")
        }
    }
}
