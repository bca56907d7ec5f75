import Fluent
import Foundation
import KaoheCore
import KaoheServer
import Vapor

/// The demo company (issue 4 §1): 2 departments, 5 teams, 60 employees across seed schemes,
/// 12 months of evidence and scored results. Its logins are shown on the login page in demo
/// mode only; every demo password is `demo1234`. Its own target: the server knows nothing of it,
/// and it writes through the server's models and stores (their `package` access).
public enum Demo {
    /// `kaohe serve --demo`: loads the company (`scale` times over) before serving.
    public static func seed(scale: Int) -> KaoheServerMain.Seed {
        { app in try await load(app, scale: scale) }
    }


    static let password = "demo1234"
    static let logins: [(String, String, String)] = [
        ("hr", "人事/管理员", "全部数据、方案、审计"),
        ("manager1", "部门经理", "电商客服部"),
        ("manager2", "部门经理", "呼叫中心"),
        ("lead11", "组长", "电商客服部 售前一组"),
        ("qa1", "质检员", "录音质检"),
        ("agent1", "客服专员", "只看自己的成绩"),
    ]

    struct TeamPlan { var name: String; var preset: String; var size: Int }
    static let plan: [(department: String, code: String, teams: [TeamPlan])] = [
        ("电商客服部", "01", [TeamPlan(name: "售前一组", preset: "ecommerce-monthly", size: 12),
                              TeamPlan(name: "售前二组", preset: "ecommerce-monthly", size: 12),
                              TeamPlan(name: "售后组", preset: "after-sales", size: 10)]),
        ("呼叫中心", "02", [TeamPlan(name: "话务一组", preset: "callcentre-agent", size: 13),
                            TeamPlan(name: "话务二组", preset: "star-agent", size: 13)]),
    ]
    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
    static let givenNames = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "欣", "婷"]

    /// Loads the demo company unless it is already there.
    /// `scale` > 1 repeats every team (售前一组 2, 售前一组 3 …) to make a large company for
    /// measuring page speed; 工号 then take four digits after the department code.
    static func load(_ app: Application, months: Int = 12, lastPeriod: String = "2026-10", scale: Int = 1) async throws {
        app.demoLogins = logins
        guard try await PeopleStore.departmentCount(on: app.db) == 0 else { return }
        let hash = try await app.password.async.hash(password)
        guard let last = MonthIndex(lastPeriod) else { throw KaoheError.internalFault("bad demo period") }
        try await app.db.writeTransaction { db in
            var n = 0
            var agentUserMade = false
            var outcomeKeys = Set<String>()
            try await User(username: "hr", displayName: "人事 周敏", passwordHash: hash, role: .hr).save(on: db)
            try await User(username: "qa1", displayName: "质检 何静", passwordHash: hash, role: .qa).save(on: db)
            for (di, d) in plan.enumerated() {
                let dept = Department(name: d.department, code: d.code)
                try await dept.save(on: db)
                try await User(username: "manager\(di + 1)", displayName: "\(d.department)经理", passwordHash: hash, role: .manager,
                               departmentId: dept.id).save(on: db)
                let teams = (0..<max(scale, 1)).flatMap { rep in d.teams.map { t in TeamPlan(name: rep == 0 ? t.name : "\(t.name) \(rep + 1)", preset: t.preset, size: t.size) } }
                for (ti, t) in teams.enumerated() {
                    let team = Team(name: t.name, departmentId: try dept.requireID())
                    try await team.save(on: db)
                    let text = try String(contentsOf: try presetFile(t.preset), encoding: .utf8)
                    let scheme = try await schemeVersion(t.preset, text: text, department: dept, on: db)
                    // each team is appraised by its own scheme (issue 16 §4): 售后组 by after-sales, not
                    // by the department's ecommerce-monthly, whichever scheme a cycle is opened with
                    try await SchemeAssignment(team: try team.requireID(), department: nil, scheme: scheme.key, by: nil).save(on: db)
                    let engine = try ScoringEngine(scheme: try Presets.scheme(t.preset))
                    var gen = DemoProfile(seed: UInt64(di * 10 + ti + 1))
                    let digits = scale > 1 ? "%04d" : "%03d"
                    var members: [Employee] = []
                    for k in 0..<t.size {
                        n += 1
                        let name = String(surnames[(n * 7) % surnames.count]) + givenNames[(n * 5 + k) % givenNames.count]
                        let e = Employee(number: "1\(d.code)\(String(format: digits, n))", name: name, position: k == 0 ? "组长" : "客服专员",
                                         hireDate: String(format: "20%02d-%02d-01", 21 + n % 5, 1 + n % 12), departmentId: try dept.requireID(), teamId: try team.requireID())
                        try await e.save(on: db)
                        members.append(e)
                        if k == 0 {
                            team.leaderId = e.id
                            try await team.save(on: db)
                            try await User(username: ti < 9 ? "lead\(di + 1)\(ti + 1)" : "lead\(di + 1)_\(ti + 1)", displayName: "组长 \(name)", passwordHash: hash, role: .lead,
                                           employeeId: e.id, teamId: team.id, departmentId: dept.id).save(on: db)
                        } else if !agentUserMade {
                            agentUserMade = true
                            try await User(username: "agent1", displayName: name, passwordHash: hash, role: .agent,
                                           employeeId: e.id, teamId: team.id, departmentId: dept.id).save(on: db)
                        }
                    }
                    for m in stride(from: months - 1, through: 0, by: -1) {
                        let period = (last + (-m)).label
                        var rows: [ScoringRow] = []
                        var evidence: [EvidenceEntry] = []
                        let shared = gen.teamValues(preset: t.preset)
                        for (k, e) in members.enumerated() {
                            // a steady level per person (0.2…0.92), so a year reads as one record
                            let quality = 0.2 + 0.72 * ((Double(n - members.count + k + 1) * 0.618_033_988).truncatingRemainder(dividingBy: 1))
                            let values = gen.values(preset: t.preset, engine: engine, quality: quality).merging(shared) { $1 }
                            rows.append(ScoringRow(employee: e.number, period: period, team: t.name, values: try engine.evidence(values)))
                            for (c, v) in values.sorted(by: { $0.key < $1.key }) where !v.isEmpty {
                                evidence.append(EvidenceEntry(employeeId: try e.requireID(), schemeId: try scheme.requireID(), period: period, column: c, value: v, recordedBy: nil))
                            }
                        }
                        try await evidence.create(on: db)
                        var results: [StoredResult] = []
                        let scored = engine.scoreAll(rows)
                        for (i, r) in scored.enumerated() {
                            results.append(StoredResult(employeeId: try members[i].requireID(), schemeId: try scheme.requireID(), period: period,
                                                        total: r.total.format(), grade: r.grade, json: try Scoring.json(r), status: .locked))
                        }
                        try await results.create(on: db)
                        // the past months were appraised and closed: a locked cycle per team and month, so
                        // they count (R-100-01) and their outcomes are computed from them (R-100-03)
                        try await lockedCycle(scheme: scheme, period: period, department: dept, team: team, members: members, totals: scored, on: db)
                    }
                    outcomeKeys.insert(scheme.key)
                }
            }
            // every month's outcomes (levels, stars, rank money …) as the engine computes them
            let periods = (0..<months).map { (last + (-$0)).label }
            for key in outcomeKeys.sorted() { try await Rescorer.outcomes(key: key, months: periods, on: db) }
            try await Audit.record(on: db, actor: nil, action: "create", entity: "demo", id: "demo", after: "\(n) employees, \(months) months", reason: "kaohe serve --demo")
        }
    }

    /// A closed month of one team: the cycle locked, each sheet rated by the team leader, reviewed
    /// by the department's manager and locked with its total.
    static func lockedCycle(scheme: SchemeVersion, period: String, department: Department, team: Team, members: [Employee],
                            totals: [SheetResult], on db: Database) async throws {
        let sched = CycleSchedule.monthly
        guard let due = sched.deadlines(period: period) else { return }
        let lead = try await AccountStore.user(role: .lead, team: team.id, on: db)
        let manager = try await AccountStore.user(role: .manager, department: department.id, on: db)
        let c = Cycle()
        c.id = UUID(); c.$scheme.id = try scheme.requireID(); c.period = period; c.$department.id = department.id; c.teams = try team.requireID().uuidString
        c.schedule = String(decoding: try JSONEncoder.sorted.encode(sched), as: UTF8.self)
        c.status = .locked
        c.issuedOn = due.issue.description; c.selfDue = due.selfAssessment.description; c.ratingDue = due.rating.description
        c.reviewDue = due.review.description; c.publishDue = due.publish.description
        c.objectionsClose = due.publish.description
        c.excluded = "{}"; c.createdBy = nil; c.createdAt = Date()
        try await c.save(on: db)
        var sheets: [Sheet] = []
        for (e, r) in zip(members, totals) {
            let s = Sheet()
            s.id = UUID(); s.$cycle.id = c.id!; s.$employee.id = try e.requireID()
            // the team leader's own sheet goes to the manager
            s.raterId = e.id == team.leaderId ? manager?.id : (lead?.id ?? manager?.id); s.reviewerId = manager?.id
            s.stage = .locked; s.version = 1; s.updatedAt = Date(); s.updatedBy = nil
            s.raterTotal = r.total.format(); s.finalTotal = r.total.format(); s.grade = r.grade
            sheets.append(s)
        }
        try await StoreSQL.createAll(sheets, on: db)
    }

    static func presetFile(_ id: String) throws -> URL {
        guard let url = Presets.file(id) else {
            throw KaoheError.internalFault("preset \(id) missing")
        }
        return url
    }

    static func schemeVersion(_ key: String, text: String, department: Department, on db: Database) async throws -> SchemeVersion {
        if let v = try await SchemeStore.anyVersion(key: key, on: db) { return v }
        let s = try Presets.scheme(key)
        let v = SchemeVersion(key: key, version: 1, name: s.name, text: text, preset: key, departmentId: department.id, createdBy: nil)
        try await v.save(on: db)
        return v
    }
}
