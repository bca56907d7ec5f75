import Fluent
import Foundation
import KaoheCore
import Vapor

/// A form's problem with one of its fields: shown beside that field, with what was typed kept.
struct FormProblem: Error, Sendable {
    var field: String
    var message: String
    var status: HTTPStatus
    init(_ field: String, _ message: String, status: HTTPStatus = .unprocessableEntity) {
        self.field = field; self.message = message; self.status = status
    }
}

/// HR keeps the organisation in the browser (issue 16 §1): departments, teams and their leaders,
/// people who join, move and leave. Every change is audited (R-004-03) with who, when, before,
/// after and — for what changes a person's record — why.
enum OrganisationService {
    // MARK: departments

    /// A new department: a name (unique) and its two-digit code (unique; the 工号 of scheme (a),
    /// R-002-35, carry it).
    static func createDepartment(name rawName: String, code rawCode: String, user: User, db: Database) async throws -> Department {
        let (name, code) = try checkDepartment(name: rawName, code: rawCode)
        if let other = try await PeopleStore.departmentClash(name: name, code: code, except: nil, on: db) {
            throw clash(other, name: name, code: code)
        }
        let d = Department(name: name, code: code)
        try await db.writeTransaction { db in
            try await d.save(on: db)
            try await Audit.record(on: db, actor: user, action: "create", entity: "department", id: name, after: "code=\(code) name=\(name)")
        }
        return d
    }

    /// A department renamed or re-coded. People keep their 工号 (numbers never change, R-002-35):
    /// the new code is used for joiners from now on.
    static func renameDepartment(_ d: Department, name rawName: String, code rawCode: String, user: User, db: Database) async throws {
        let (name, code) = try checkDepartment(name: rawName, code: rawCode)
        guard name != d.name || code != d.code else { throw FormProblem("name", "名称和代码都没有变化") }
        if let other = try await PeopleStore.departmentClash(name: name, code: code, except: try d.requireID(), on: db) {
            throw clash(other, name: name, code: code)
        }
        let before = "code=\(d.code) name=\(d.name)"
        d.name = name; d.code = code
        try await db.writeTransaction { db in
            try await d.save(on: db)
            try await Audit.record(on: db, actor: user, action: "update", entity: "department", id: name, before: before, after: "code=\(code) name=\(name)")
        }
    }

    static func checkDepartment(name rawName: String, code rawCode: String) throws -> (String, String) {
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        let code = rawCode.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw FormProblem("name", "部门名称不能为空") }
        guard name.count <= 60 else { throw FormProblem("name", "部门名称最多 60 个字") }
        guard code.count == 2, code.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw FormProblem("code", "部门代码须为两位数字（如 01）") }
        return (name, code)
    }

    static func clash(_ other: Department, name: String, code: String) -> FormProblem {
        other.name == name
            ? FormProblem("name", "已有部门“\(name)”", status: .conflict)
            : FormProblem("code", "部门代码 \(code) 已被“\(other.name)”使用", status: .conflict)
    }

    // MARK: teams

    /// A new team of a department, with a leader if one is chosen.
    static func createTeam(name rawName: String, department: UUID?, leader: UUID?, user: User, db: Database) async throws -> Team {
        let name = try checkTeamName(rawName)
        guard let department, let dept = try await PeopleStore.department(department, on: db) else { throw FormProblem("department", "请选择部门") }
        if try await PeopleStore.teamClash(department: department, name: name, except: nil, on: db) != nil {
            throw FormProblem("name", "部门“\(dept.name)”已有班组“\(name)”", status: .conflict)
        }
        let t = Team(name: name, departmentId: department)
        try await db.writeTransaction { db in
            try await t.save(on: db)
            try await Audit.record(on: db, actor: user, action: "create", entity: "team", id: name, after: "department=\(dept.name) name=\(name)")
            if let leader { try await setLeader(t, leader, department: dept, user: user, db: db) }
        }
        return t
    }

    /// A team renamed, moved to another department (its members move with it) or given another
    /// leader; each change audited.
    static func updateTeam(_ t: Team, name rawName: String, department: UUID?, leader: UUID?, user: User, db: Database) async throws -> [String] {
        let name = try checkTeamName(rawName)
        guard let department, let dept = try await PeopleStore.department(department, on: db) else { throw FormProblem("department", "请选择部门") }
        let tid = try t.requireID()
        if try await PeopleStore.teamClash(department: department, name: name, except: tid, on: db) != nil {
            throw FormProblem("name", "部门“\(dept.name)”已有班组“\(name)”", status: .conflict)
        }
        guard let from = try await PeopleStore.department(t.$department.id, on: db) else { throw FormProblem("department", "班组原属部门已不存在") }
        let oldName = t.name
        return try await db.writeTransaction { (db: Database) async throws -> [String] in
            var done: [String] = []
            if name != t.name {
                t.name = name
                try await t.save(on: db)
                try await Audit.record(on: db, actor: user, action: "update", entity: "team", id: name, before: "name=\(oldName)", after: "name=\(name)")
                done.append("已改名为“\(name)”")
            }
            if department != t.$department.id {
                t.$department.id = department
                try await t.save(on: db)
                let members = try await PeopleStore.members(team: tid, on: db)
                for e in members {
                    e.$department.id = department
                    try await e.save(on: db)
                    try await Audit.record(on: db, actor: user, action: "transfer", entity: "employee", id: e.number,
                                           before: "department=\(from.name) team=\(t.name)", after: "department=\(dept.name) team=\(t.name)",
                                           reason: "班组“\(t.name)”调往部门“\(dept.name)”")
                }
                try await moveAccounts(team: tid, to: department, user: user, db: db)
                try await Audit.record(on: db, actor: user, action: "move", entity: "team", id: t.name,
                                       before: "department=\(from.name)", after: "department=\(dept.name) members=\(members.count)")
                done.append("已调往“\(dept.name)”（\(members.count) 人随班组调动）")
            }
            if leader != t.leaderId {
                if let leader {
                    try await setLeader(t, leader, department: dept, user: user, db: db)
                    done.append("已更换组长")
                } else {
                    try await clearLeader(t, user: user, db: db)
                    done.append("已取消组长")
                }
            }
            return done
        }
    }

    static func checkTeamName(_ raw: String) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw FormProblem("name", "班组名称不能为空") }
        guard name.count <= 60 else { throw FormProblem("name", "班组名称最多 60 个字") }
        return name
    }

    /// The accounts scoped to a team follow it into its new department.
    static func moveAccounts(team: UUID, to department: UUID, user: User, db: Database) async throws {
        for u in try await AccountStore.users(team: team, on: db) where u.$department.id != nil && u.$department.id != department {
            let before = UserController.scopeText(u)
            u.$department.id = department
            try await u.save(on: db)
            try await Audit.record(on: db, actor: user, action: "update", entity: "permission", id: u.username, before: before, after: UserController.scopeText(u),
                                   reason: "班组调往其他部门")
        }
    }

    /// Makes `leader` the team's 组长: an active person with an account (an agent's or a lead's),
    /// not leading another team; their account becomes a lead's of this team (a permission
    /// change, audited). The former leader's lead account goes back to an agent's.
    static func setLeader(_ t: Team, _ leader: UUID, department: Department, user: User, db: Database) async throws {
        guard let e = try await PeopleStore.employee(leader, on: db), e.status == .active else { throw FormProblem("leader", "没有这个在职员工") }
        let tid = try t.requireID()
        if let other = try await PeopleStore.team(ledBy: leader, on: db), other.id != tid {
            throw FormProblem("leader", "\(e.name)（\(e.number)）已是班组“\(other.name)”的组长，请先在那个班组更换组长", status: .conflict)
        }
        let accounts = try await AccountStore.activeUsers(employee: leader, on: db)
        guard let account = accounts.first else {
            throw FormProblem("leader", "\(e.name)（\(e.number)）还没有账号：请先在“账号”页为其创建账号")
        }
        guard [.agent, .lead].contains(account.role) else {
            throw FormProblem("leader", "\(e.name) 的账号是\(account.role.label)，不能同时做组长")
        }
        if let old = t.leaderId, old != leader { try await demote(old, from: tid, user: user, db: db) }
        let before = t.leaderId
        t.leaderId = leader
        try await t.save(on: db)
        let prior = try await before.asyncMap { try await PeopleStore.employee($0, on: db) } ?? nil
        let beforeName = prior?.name ?? "-"
        try await Audit.record(on: db, actor: user, action: "update", entity: "team", id: t.name, before: "leader=\(beforeName)", after: "leader=\(e.name) \(e.number)")
        if account.role != .lead || account.$team.id != tid || account.$department.id != department.id {
            let scope = UserController.scopeText(account)
            account.role = .lead
            account.$team.id = tid
            account.$department.id = department.id
            try await account.save(on: db)
            try await Audit.record(on: db, actor: user, action: "update", entity: "permission", id: account.username, before: scope, after: UserController.scopeText(account),
                                   reason: "任命为班组“\(t.name)”组长")
        }
    }

    /// The team has no leader any more; the former leader's account goes back to an agent's.
    static func clearLeader(_ t: Team, user: User, db: Database) async throws {
        guard let old = t.leaderId else { return }
        try await demote(old, from: try t.requireID(), user: user, db: db)
        let name = try await PeopleStore.employee(old, on: db)?.name ?? "-"
        t.leaderId = nil
        try await t.save(on: db)
        try await Audit.record(on: db, actor: user, action: "update", entity: "team", id: t.name, before: "leader=\(name)", after: "leader=-")
    }

    /// A former leader's lead account of this team becomes an agent's (their own record only).
    static func demote(_ employee: UUID, from team: UUID, user: User, db: Database) async throws {
        for u in try await AccountStore.activeUsers(employee: employee, on: db) where u.role == .lead && u.$team.id == team {
            let before = UserController.scopeText(u)
            u.role = .agent
            try await u.save(on: db)
            try await Audit.record(on: db, actor: user, action: "update", entity: "permission", id: u.username, before: before, after: UserController.scopeText(u),
                                   reason: "不再担任组长")
        }
    }

    // MARK: people

    /// What HR types for a new person.
    struct NewPerson: Sendable {
        var number = ""
        var name = ""
        var position = ""
        var hireDate = ""
        var probationEnd = ""
        var department = ""
        var team = ""
    }

    /// A new person: 工号 as typed (unique) or the next one of the company's numbering (R-002-35),
    /// 姓名, 岗位, 入职日期 (and the end of probation, which the cycle opening reads, R-002-30),
    /// department and team. Audited.
    static func createPerson(_ p: NewPerson, numbering: AppConfig.Numbering, user: User, db: Database) async throws -> Employee {
        let name = p.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let position = p.position.trimmingCharacters(in: .whitespacesAndNewlines)
        let typed = p.number.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 40 else { throw FormProblem("name", "姓名不能为空（最多 40 个字）") }
        guard !position.isEmpty, position.count <= 40 else { throw FormProblem("position", "岗位不能为空（最多 40 个字）") }
        let hire = p.hireDate.trimmingCharacters(in: .whitespaces)
        guard CivilDate(hire) != nil else { throw FormProblem("hire_date", "入职日期须为有效日期 YYYY-MM-DD") }
        let probation = p.probationEnd.trimmingCharacters(in: .whitespaces)
        if !probation.isEmpty {
            guard let end = CivilDate(probation) else { throw FormProblem("probation_end", "试用期满须为有效日期 YYYY-MM-DD") }
            guard end >= CivilDate(hire)! else { throw FormProblem("probation_end", "试用期满不能早于入职日期") }
        }
        guard let did = UUID(uuidString: p.department), let dept = try await PeopleStore.department(did, on: db) else { throw FormProblem("department", "请选择部门") }
        var teamId: UUID?
        if !p.team.isEmpty {
            guard let tid = UUID(uuidString: p.team), let team = try await PeopleStore.team(tid, on: db) else { throw FormProblem("team", "没有这个班组") }
            guard team.$department.id == did else { throw FormProblem("team", "班组“\(team.name)”不属于部门“\(dept.name)”") }
            teamId = tid
        }
        let taken = try await PeopleStore.numbers(on: db)
        let number: String
        if !typed.isEmpty {
            guard typed.count <= 20, typed.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { throw FormProblem("number", "工号只能是英文字母和数字（最多 20 位）") }
            guard !taken.contains(typed) else {
                let holder = try await PeopleStore.employee(number: typed, on: db)
                throw FormProblem("number", "工号 \(typed) 已被\(holder.map { "“\($0.name)”" } ?? "他人")使用", status: .conflict)
            }
            number = typed
        } else {
            do {
                switch numbering {
                case .departmental(let centre):
                    number = try EmployeeNumbers.Departmental(centre: centre).next(department: dept.code, taken: taken)
                case .dated(let company):
                    let j = EmployeeNumbers.Dated.Joiner(name: name, joinDate: hire, jobLevel: 0, education: 0, birthDate: "")
                    number = try EmployeeNumbers.Dated(company: company).assign([j], issued: taken)[0].1
                }
            } catch let e as NumberingError { throw FormProblem("number", e.description) }
        }
        let e = Employee(number: number, name: name, position: position, hireDate: hire, departmentId: did, teamId: teamId)
        e.probationEnd = probation.isEmpty ? nil : probation
        let teamText = try await teamName(teamId, db)
        let after = "name=\(name) position=\(position) hire_date=\(hire) probation_end=\(e.probationEnd ?? "-") department=\(dept.name) team=\(teamText)"
        try await db.writeTransaction { db in
            try await e.save(on: db)
            try await Audit.record(on: db, actor: user, action: "create", entity: "employee", id: number, after: after)
        }
        return e
    }

    static func teamName(_ id: UUID?, _ db: Database) async throws -> String {
        guard let id else { return "-" }
        return try await PeopleStore.team(id, on: db)?.name ?? "-"
    }

    /// A person moves to another team (and so, it may be, another department) from a month,
    /// for a reason. Their direct superior is cleared (the new team's leader rates them); their
    /// agent or QA account follows them. A team's own leader is moved only after another leader
    /// is named. Audited as a transfer, shown in their history.
    static func transfer(_ e: Employee, team rawTeam: String, effective rawMonth: String, reason rawReason: String, user: User, db: Database) async throws -> String {
        guard e.status == .active else { throw FormProblem("team", "离职人员不能调动") }
        guard let tid = UUID(uuidString: rawTeam), let team = try await PeopleStore.team(tid, on: db) else { throw FormProblem("team", "请选择调入的班组") }
        guard tid != e.$team.id else { throw FormProblem("team", "已在班组“\(team.name)”") }
        let month = rawMonth.trimmingCharacters(in: .whitespaces)
        guard month.count == 7, Period.isValid(month), let m = Int(month.suffix(2)), (1...12).contains(m) else {
            throw FormProblem("effective", "生效月份须为 YYYY-MM（如 2026-12）")
        }
        if let hire = CivilDate(e.hireDate), month < String(e.hireDate.prefix(7)) {
            throw FormProblem("effective", "生效月份不能早于入职（\(hire)）")
        }
        let reason = rawReason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500 else { throw FormProblem("reason", "须说明调动原因（500 字以内）") }
        let eid = try e.requireID()
        if let led = try await PeopleStore.team(ledBy: eid, on: db) {
            throw FormProblem("team", "\(e.name) 是班组“\(led.name)”的组长：请先为该班组更换组长", status: .conflict)
        }
        guard let toDept = try await PeopleStore.department(team.$department.id, on: db),
              let fromDept = try await PeopleStore.department(e.$department.id, on: db) else { throw FormProblem("team", "班组所属部门已不存在") }
        let fromTeam = try await teamName(e.$team.id, db)
        let superior = try await e.superiorId.asyncMap { try await PeopleStore.employee($0, on: db) } ?? nil
        try await db.writeTransaction { db in
            e.$team.id = tid
            e.$department.id = toDept.id!
            e.superiorId = nil
            try await e.save(on: db)
            try await Audit.record(on: db, actor: user, action: "transfer", entity: "employee", id: e.number,
                                   before: "department=\(fromDept.name) team=\(fromTeam) superior=\(superior?.number ?? "-")",
                                   after: "department=\(toDept.name) team=\(team.name) effective=\(month)", reason: reason)
            for u in try await AccountStore.activeUsers(employee: eid, on: db) where [.agent, .qa].contains(u.role) {
                let before = UserController.scopeText(u)
                u.$team.id = tid
                u.$department.id = toDept.id
                try await u.save(on: db)
                try await Audit.record(on: db, actor: user, action: "update", entity: "permission", id: u.username, before: before, after: UserController.scopeText(u), reason: reason)
            }
        }
        return "已调入 \(toDept.name) / \(team.name)，\(month) 起生效"
    }

    /// A person leaves (离职) on a day, for a reason: their status becomes `left` — the cycle
    /// opening gives leavers no sheet (R-002-30) — and their accounts stop in the same
    /// transaction; a leader's team is left without a leader. Audited.
    static func leave(_ e: Employee, on rawDay: String, reason rawReason: String, user: User, db: Database) async throws -> String {
        guard e.status == .active else { throw FormProblem("left_on", "已是离职状态") }
        let day = rawDay.trimmingCharacters(in: .whitespaces)
        guard let left = CivilDate(day) else { throw FormProblem("left_on", "离职日期须为有效日期 YYYY-MM-DD") }
        if let hire = CivilDate(e.hireDate), left < hire { throw FormProblem("left_on", "离职日期不能早于入职日期 \(hire)") }
        let reason = rawReason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500 else { throw FormProblem("reason", "须说明离职原因（500 字以内）") }
        let eid = try e.requireID()
        try await db.writeTransaction { db in
            if let led = try await PeopleStore.team(ledBy: eid, on: db) { try await clearLeader(led, user: user, db: db) }
            e.status = .left
            e.leftOn = day
            e.leaveReason = reason
            try await e.save(on: db)
            try await Audit.record(on: db, actor: user, action: "leave", entity: "employee", id: e.number, before: "status=active",
                                   after: "status=left left_on=\(day)", reason: reason)
        }
        return "已办理离职（\(day)），其账号已停用"
    }
}
