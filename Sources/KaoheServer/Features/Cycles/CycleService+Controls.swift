import Fluent
import Foundation
import KaoheCore
import Vapor

/// A cycle's way back (issue 16 §4): HR cancels a cycle or withdraws one sheet before publication,
/// with a reason (audited, in the sheets' history, their inbox messages cleared; a withdrawn sheet
/// is never published and its result never counts, R-100-01); after publication a result changes
/// only by a correction (R-100-02). HR moves the deadlines of an open cycle (audited), sets each
/// team's scheme, and sees what a publication will do before it is done.
extension CycleService {
    static func reasonGiven(_ reason: String?, _ what: String, en: String) throws -> String {
        let why = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw KaoheError.invalid("reason: \(what)须写明原因", en: "reason: a reason is required to \(en)") }
        return why
    }

    static let afterPublication = "结果已发布并计入（R-100-01），只能在考核表上以“更正”说明原因修改（R-100-02）"

    // MARK: withdraw a sheet

    /// Withdraws one sheet before publication (HR, reason required). `s` has its cycle loaded.
    static func withdraw(_ s: Sheet, reason: String?, user: User, db: Database) async throws {
        guard user.viewer.role == .hr else { throw KaoheError.forbidden("只有人事可以撤回考核表", en: "only HR withdraws a sheet") }
        let why = try reasonGiven(reason, "撤回考核表", en: "withdraw a sheet")
        if s.stage == .withdrawn { throw KaoheError.conflict("这张考核表已撤回", en: "this sheet was already withdrawn") }
        guard !s.stage.isClosed else {
            throw KaoheError.conflict("这张考核表已发布，不能撤回：\(afterPublication)", en: "this sheet is published and cannot be withdrawn; change it through a correction with a reason (R-100-02)")
        }
        guard s.cycle.status == .open else { throw KaoheError.conflict("考核周期已\(s.cycle.status == .cancelled ? "取消" : "发布")", en: "the cycle is \(s.cycle.status.rawValue)") }
        let from = s.stage, version = s.version
        let sid = try s.requireID()
        try await db.writeTransaction { db in
            // one conditional UPDATE: a sheet published or changed meanwhile is not withdrawn silently
            try await claim(s, version: version, user: user, stage: .withdrawn, on: db)
            try await SheetStep(sheet: sid, action: "withdraw", actor: user, from: from, to: .withdrawn, reason: why, before: s.finalTotal, after: nil).save(on: db)
            try await Audit.record(on: db, actor: user, action: "withdraw", entity: "sheet", id: "\(s.employee.number)/\(s.cycle.period)",
                                   before: from.rawValue, after: SheetStage.withdrawn.rawValue, reason: why)
            // what asked anyone to act on it is done; its result stays a draft (R-100-01)
            try await Inbox.settle([s], cycle: s.$cycle.id, from: Set(SheetStage.allCases), on: db)
            try await ResultStore.mark(.draft, cycle: s.cycle, employees: [s.$employee.id], on: db)
        }
    }

    // MARK: cancel a cycle

    /// Cancels an open cycle (HR, reason required): every sheet withdrawn with the reason; how many.
    static func cancel(_ c: Cycle, reason: String?, user: User, db: Database) async throws -> Int {
        guard user.viewer.role == .hr else { throw KaoheError.forbidden("只有人事可以取消考核周期", en: "only HR cancels a cycle") }
        let why = try reasonGiven(reason, "取消考核周期", en: "cancel a cycle")
        switch c.status {
        case .published, .locked:
            throw KaoheError.conflict("这个考核周期已发布，不能取消：\(afterPublication)", en: "this cycle is published and cannot be cancelled; change results through corrections with a reason (R-100-02)")
        case .cancelled: throw KaoheError.conflict("这个考核周期已取消", en: "this cycle was already cancelled")
        case .open: break
        }
        let cid = try c.requireID()
        return try await db.writeTransaction { db in
            // one conditional UPDATE: a publication at the same moment wins or loses whole
            guard try await CycleControlStore.cancel(cid, reason: why, on: db) == 1 else {
                throw KaoheError.conflict("考核周期的状态已变（刚刚被发布或取消），请刷新", en: "the cycle changed meanwhile; reload")
            }
            let sheets = try await CycleControlStore.liveSheets(cycle: cid, on: db)
            for s in sheets {
                let from = s.stage
                s.stage = .withdrawn; s.version += 1; s.updatedAt = Date(); s.updatedBy = user.id
                try await s.save(on: db)
                try await SheetStep(sheet: try s.requireID(), action: "cancel", actor: user, from: from, to: .withdrawn, reason: why, before: s.finalTotal, after: nil).save(on: db)
            }
            try await Inbox.settle(sheets, cycle: cid, from: Set(SheetStage.allCases), on: db)
            try await ResultStore.mark(.draft, cycle: c, employees: sheets.map { $0.$employee.id }, on: db)
            try await Audit.record(on: db, actor: user, action: "cancel", entity: "cycle", id: cid.uuidString,
                                   before: CycleStatus.open.rawValue, after: "\(CycleStatus.cancelled.rawValue) sheets=\(sheets.count)", reason: why)
            return sheets.count
        }
    }

    // MARK: deadlines

    /// Moves an open cycle's deadlines (HR); audited with the dates before and after.
    static func editDeadlines(_ c: Cycle, _ input: DeadlineInput, reason: String?, user: User, db: Database) async throws {
        guard user.viewer.role == .hr else { throw KaoheError.forbidden("只有人事可以修改截止日期", en: "only HR changes deadlines") }
        guard c.status == .open else { throw KaoheError.conflict("只有尚未发布的考核周期可以修改截止日期", en: "only an open cycle's deadlines can change") }
        func typed(_ s: String?, _ current: String) -> String { s.flatMap { $0.isBlank ? nil : $0 } ?? current }
        let (selfDue, ratingDue, reviewDue, publishDue) = try checkedDeadlines(
            issued: c.issuedOn, selfDue: typed(input.selfDue, c.selfDue), ratingDue: typed(input.ratingDue, c.ratingDue),
            reviewDue: typed(input.reviewDue, c.reviewDue), publishDue: typed(input.publishDue, c.publishDue))
        let before = "self=\(c.selfDue) rating=\(c.ratingDue) review=\(c.reviewDue) publish=\(c.publishDue)"
        let after = "self=\(selfDue) rating=\(ratingDue) review=\(reviewDue) publish=\(publishDue)"
        guard before != after else { return }
        let why = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        try await db.writeTransaction { db in
            try await CycleControlStore.setDeadlines(c, selfDue: selfDue, ratingDue: ratingDue, reviewDue: reviewDue, publishDue: publishDue, on: db)
            try await Audit.record(on: db, actor: user, action: "deadlines", entity: "cycle", id: try c.requireID().uuidString,
                                   before: before, after: after, reason: why.isEmpty ? nil : why)
        }
    }

    // MARK: each team's scheme

    /// A team's or a department's scheme as the page lists it.
    struct AssignmentRow: Sendable {
        var team: UUID?; var department: UUID; var name: String
        /// the scheme set here, and (teams) the one it falls back to and from where
        var scheme: String?; var fallback: String?
    }

    /// Every department and its teams with their schemes (HR).
    static func assignmentRows(db: Database) async throws -> [AssignmentRow] {
        let assignments = try await CycleControlStore.assignments(on: db)
        let byTeam = Dictionary(assignments.compactMap { a in a.teamId.map { ($0, a.schemeKey) } }, uniquingKeysWith: { a, _ in a })
        let byDepartment = Dictionary(assignments.compactMap { a in a.departmentId.map { ($0, a.schemeKey) } }, uniquingKeysWith: { a, _ in a })
        var rows: [AssignmentRow] = []
        let teams = try await PeopleStore.teamsWithDepartments(on: db)
        for d in try await PeopleStore.departments(on: db) {
            guard let did = d.id else { continue }
            rows.append(AssignmentRow(team: nil, department: did, name: "\(d.code) \(d.name)", scheme: byDepartment[did], fallback: nil))
            for t in teams where t.$department.id == did {
                guard let tid = t.id else { continue }
                rows.append(AssignmentRow(team: tid, department: did, name: "\(d.name) \(t.name)", scheme: byTeam[tid],
                                          fallback: byDepartment[did].map { "部门：\($0)" }))
            }
        }
        return rows
    }

    /// Sets the schemes of teams and departments (HR): `teams` and `departments` map an id to a
    /// scheme key ("" clears it); every change audited.
    static func assign(teams: [UUID: String], departments: [UUID: String], user: User, db: Database) async throws -> Int {
        guard user.viewer.role == .hr else { throw KaoheError.forbidden("只有人事可以指定考核方案", en: "only HR assigns schemes") }
        let latest = try await SchemeStore.latest(on: db)
        for (id, key) in teams.sorted(by: { $0.key.uuidString < $1.key.uuidString }) where !key.isEmpty && latest[key] == nil {
            throw KaoheError.notFound("team.\(id.uuidString): 没有方案 “\(key)”", en: "team.\(id.uuidString): no such scheme “\(key)”")
        }
        for (id, key) in departments.sorted(by: { $0.key.uuidString < $1.key.uuidString }) where !key.isEmpty && latest[key] == nil {
            throw KaoheError.notFound("department.\(id.uuidString): 没有方案 “\(key)”", en: "department.\(id.uuidString): no such scheme “\(key)”")
        }
        let known = Set(try await PeopleStore.teams(on: db).compactMap(\.id)), units = Set(try await PeopleStore.departments(on: db).compactMap(\.id))
        for id in teams.keys where !known.contains(id) { throw KaoheError.notFound("team.\(id.uuidString): 没有这个班组", en: "no such team") }
        for id in departments.keys where !units.contains(id) { throw KaoheError.notFound("department.\(id.uuidString): 没有这个部门", en: "no such department") }
        return try await db.writeTransaction { db in
            var changed = 0
            for (kind, map) in [("team", teams), ("department", departments)] {
                for (id, key) in map.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
                    let scheme: String? = key.isEmpty ? nil : key
                    let before = try await CycleControlStore.assign(team: kind == "team" ? id : nil, department: kind == "department" ? id : nil,
                                                                    scheme: scheme, by: user.id, on: db)
                    guard before != scheme else { continue }
                    try await Audit.record(on: db, actor: user, action: "assign_scheme", entity: kind, id: id.uuidString, before: before, after: scheme)
                    changed += 1
                }
            }
            return changed
        }
    }

    // MARK: what a publication will do

    struct PublishRow: Sendable { var sheet: UUID; var number: String; var name: String; var team: String?; var total: String?; var grade: String?; var pay: String?; var provisional: Bool }
    struct MissingRow: Sendable { var sheet: UUID; var number: String; var name: String; var team: String?; var stage: String; var waitingFor: String; var due: String? }
    struct PublishPreview: Sendable {
        var cycle: UUID; var scheme: String; var period: String; var status: CycleStatus
        var ready: [PublishRow]; var missing: [MissingRow]
        /// the objection window's last day if published today
        var objectionsClose: String
    }

    /// What publishing the cycle today would do (HR): the sheets published with what each person
    /// will read (total, grade, pay), those not ready by stage and person, and the objection deadline.
    static func publishPreview(_ c: Cycle, user: User, config: AppConfig, db: Database) async throws -> PublishPreview {
        guard user.viewer.role == .hr else { throw KaoheError.forbidden("只有人事可以发布", en: "only HR publishes") }
        let cid = try c.requireID()
        let sched = schedule(c)
        let close = sched.add(sched.objectionDays, to: config.todayDate)
        let version = try await SchemeStore.version(c.$scheme.id, on: db)
        let sheets = try await CycleControlStore.liveSheets(cycle: cid, on: db)
        let results = Dictionary(try await ResultStore.results(scheme: c.$scheme.id, period: c.period, employees: Set(sheets.map { $0.$employee.id }), on: db)
            .map { ($0.$employee.id, $0) }, uniquingKeysWith: { a, _ in a })
        let waiting = sheets.filter { [.selfAssessment, .rating, .review].contains($0.stage) }
        let accountIds = Set(waiting.flatMap { [$0.raterId, $0.reviewerId].compactMap { $0 } })
        let accounts = Dictionary(try await AccountStore.users(accountIds, on: db).compactMap { u in u.id.map { ($0, u) } }, uniquingKeysWith: { a, _ in a })
        let selves = Dictionary(try await AccountStore.users(employees: Set(waiting.filter { $0.stage == .selfAssessment }.map { $0.$employee.id }), on: db)
            .compactMap { u in u.$employee.id.map { ($0, u) } }, uniquingKeysWith: { a, _ in a })
        func who(_ u: User?) -> String { u.map { "\($0.displayName)（\($0.username)）" } ?? "—" }
        var ready: [PublishRow] = [], missing: [MissingRow] = []
        for s in sheets {
            let sid = try s.requireID()
            switch s.stage {
            case .ready:
                let stored = results[s.$employee.id]
                let pay = try stored.flatMap { try ResultStore.sheet($0, employee: s.employee.number).pay }
                ready.append(PublishRow(sheet: sid, number: s.employee.number, name: s.employee.name, team: s.employee.team?.name,
                                        total: s.finalTotal ?? stored?.total, grade: s.grade ?? stored?.grade, pay: pay.map { $0.paid.yuan }, provisional: pay?.provisional ?? false))
            case .selfAssessment, .rating, .review:
                let person: String
                switch s.stage {
                case .selfAssessment: person = "\(who(selves[s.$employee.id]))（本人自评）"
                case .rating: person = "\(who(s.raterId.flatMap { accounts[$0] }))（评分）"
                default: person = "\(who(s.reviewerId.flatMap { accounts[$0] }))（复核）"
                }
                missing.append(MissingRow(sheet: sid, number: s.employee.number, name: s.employee.name, team: s.employee.team?.name,
                                          stage: s.stage.label, waitingFor: person, due: c.due(at: s.stage)))
            default: continue
            }
        }
        return PublishPreview(cycle: cid, scheme: version.map { "\($0.name)（\($0.key)）" } ?? "", period: c.period, status: c.status,
                              ready: ready, missing: missing, objectionsClose: close.description)
    }
}
