import Fluent
import Foundation
import KaoheCore
import Vapor

/// The team rating grid (issue 17 §1): one team's sheets of a cycle on one screen for the person
/// who rates them — the fields a rater fills on a sheet at the rating stage as columns, each row
/// with its total, grade and flags — saved row by row with each sheet's version, and every
/// complete row submitted in one request. Rows are written by the same `write` and `act` as the
/// single sheet, so a row is refused exactly where its sheet would be, with the same reason.
extension CycleService {
    // MARK: the sheet scored while it is typed

    /// The sheet scored with the caller's unsaved values laid over its stored evidence — among its
    /// team, as saving it would score it (a team average or share is the team's, not the sheet's
    /// own: scored alone, every 销售额 was 10 of 10 and the live total differed from the saved one).
    /// Nothing is written. What `preview` shows and the grid's rows after a refused form.
    static func previewResult(_ s: Sheet, values: [String: String], user: User, db: Database) async throws -> SheetResult {
        let engine = try Scoring.engine(s.cycle.scheme)
        let allowed = Set(editable(s, user, engine).map(\.column))
        guard !allowed.isEmpty else { throw KaoheError.forbidden("此阶段你不能修改这张表", en: "not yours to edit at this stage") }
        var all = try await EvidenceStore.values(of: s, on: db)
        for (k, v) in values {
            guard allowed.contains(k) else { throw KaoheError.forbidden("values.\(k): 此阶段不能填写", en: "values.\(k): not editable by you at this stage") }
            if v.isBlank { all[k] = nil } else { all[k] = v.trimmingCharacters(in: .whitespaces) }
        }
        do { _ = try engine.evidence(all) } catch {
            throw KaoheError.invalid("values.\(error.column ?? ""): \(error.message)")
        }
        let eid = s.$employee.id
        if let members = try await Scoring.teams(of: [eid], on: db),
           let mine = try await Scoring.score(engine: engine, version: s.cycle.scheme, period: s.cycle.period, members: members,
                                              overlay: [eid: all], on: db).first(where: { $0.0.id == eid })?.1 {
            return mine
        }
        // a person without a team is scored alone (the whole period would be every team's)
        do { return try engine.score(all, employee: s.employee.number, period: s.cycle.period) } catch {
            throw KaoheError.invalid("values.\(error.column ?? ""): \(error.message)")
        }
    }

    /// The items whose flag waits for the rater's decision (`Flag.needsDecision`: a value in a band
    /// gap, a zero denominator, a figure that cannot be computed …): only there is the decision
    /// field (`<item>.override`) shown beside the item — not nine empty boxes on every sheet. A
    /// value not yet imported waits for its data, not for the rater (it does not stop the
    /// submission either): its decision field stays with the others, folded away.
    static func decisionItems(_ flags: [KaoheCore.Flag]) -> Set<String> {
        Set(flags.filter { $0.needsDecision && $0.code != "missing_value" }.compactMap(\.item))
    }

    /// The sheet's stored result (every write re-scores and stores it), or nil before its first scoring.
    static func storedResult(_ s: Sheet, db: Database) async throws -> SheetResult? {
        guard let r = try await ResultStore.result(employee: s.$employee.id, scheme: s.cycle.$scheme.id, period: s.cycle.period, on: db) else { return nil }
        return try ResultStore.sheet(r, employee: s.employee.number)
    }

    /// The field a refusal is about, as the services word it: `values.<column>: …` names the
    /// column, `reason: …` the reason; nil for a refusal of the whole sheet.
    static func field(of error: any Error) -> String? {
        guard let k = error as? KaoheError else { return nil }
        let zh = k.texts.zh
        if zh.hasPrefix("reason:") { return "reason" }
        guard zh.hasPrefix("values."), let colon = zh.firstIndex(of: ":") else { return nil }
        let column = String(zh[zh.index(zh.startIndex, offsetBy: 7)..<colon])
        return column.isEmpty ? nil : column
    }

    /// The statuses of a refusal that is the caller's to correct (shown beside the form, not an error page).
    static let refusals: [HTTPResponseStatus] = [.unprocessableEntity, .conflict, .forbidden, .badRequest, .notFound]

    // MARK: previous and next

    /// Where a sheet stands among those its viewer handles in the cycle (rates or reviews), by 工号:
    /// the previous and next, and — for its rater — the team's grid.
    struct SheetNav: Sendable {
        var previous: UUID?
        var next: UUID?
        var position: Int
        var count: Int
        var cycle: UUID
        /// the team whose grid the viewer rates this sheet in
        var team: UUID?
    }

    static func nav(_ s: Sheet, user: User, db: Database) async throws -> SheetNav? {
        let id = try s.requireID()
        let list = try await TeamGridStore.handled(cycle: s.$cycle.id, user: try user.requireID(), on: db)
        guard let i = list.firstIndex(where: { $0.id == id }) else { return nil }
        return SheetNav(previous: i > 0 ? list[i - 1].id : nil, next: i + 1 < list.count ? list[i + 1].id : nil,
                        position: i + 1, count: list.count, cycle: s.$cycle.id,
                        team: s.raterId == user.id ? s.employee.$team.id : nil)
    }

    // MARK: the grid

    /// A field of the grid: one the rater fills on every sheet of the team (a mark, a grade), or a
    /// decision on an evidence-driven item (`….override`, shown only on the rows that need it).
    struct GridColumn: Sendable {
        var column: String
        var label: String
        var item: String?
        var min: String?
        var max: String?
        var grades: [String]?
        /// an empty value stops the row being complete (a mark, a grade; not an optional bonus)
        var required: Bool
    }

    /// What became of a row in a posted grid.
    enum RowOutcome: Sendable {
        case saved
        case unchanged
        case submitted
        /// not submitted: these fields are empty (what was filled was saved, if `saved`)
        case incomplete([String], saved: Bool)
        /// refused with the reason, in the reader's language; `saved`: the values were saved, the submission refused
        case refused(String, status: HTTPResponseStatus, saved: Bool)
    }

    /// One row as posted: the version its sheet was read at, the values typed, the reason for a decision.
    struct RowInput: Sendable {
        var version: Int?
        var values: [String: String]
        var reason: String?
    }

    struct GridRow: Sendable {
        var id: UUID
        var employee: String
        var name: String
        var stage: SheetStage
        var version: Int
        /// whether the caller may write it now (theirs, at the rating stage)
        var editable: Bool
        /// the stored values with what was typed laid over (a refused row keeps every value)
        var values: [String: String]
        /// the decision fields open on this row: an item whose flag waits for the rater, or one already decided
        var decisions: [GridColumn]
        var reason: String
        var total: String?
        var grade: String?
        /// what stops the sheet, each once, in words (a mark not yet given is its empty cell)
        var flags: [String]
        /// the reviewer's reason when the sheet was sent back for rating again
        var returned: String?
        var outcome: RowOutcome?
        /// field (column or `reason`) → the refusal beside it
        var errors: [String: String]
        /// typed but not saved because the sheet had changed meanwhile (nothing was overwritten)
        var unsaved: [Unsaved]
    }

    /// A value typed for a field (by its label) that was not saved.
    struct Unsaved: Sendable { var label: String; var value: String }

    struct Grid: Sendable {
        var cycleId: UUID
        var teamId: UUID
        var team: String
        var scheme: String
        var period: String
        var ratingDue: String
        var columns: [GridColumn]
        var rows: [GridRow]
        var hasDecisions: Bool { rows.contains { !$0.decisions.isEmpty } }
        var waiting: Int { rows.filter(\.editable).count }
    }

    enum GridAction: Sendable, Equatable {
        case saveAll
        case saveRow(UUID)
        case submitComplete
    }

    /// The cycle, the team and the team's sheets the caller rates in it, by 工号: 404 for an
    /// unknown cycle or team (or a team without sheets in the cycle), 403 when none is theirs to rate.
    static func gridScope(cycle: UUID?, team: UUID?, user: User, db: Database) async throws -> (Cycle, Team, [Sheet]) {
        guard let cycle, let c = try await CycleStore.cycleWithScheme(cycle, on: db) else { throw KaoheError.notFound("没有这个考核周期", en: "no such cycle") }
        guard let team, let t = try await PeopleStore.team(team, on: db) else { throw KaoheError.notFound("没有这个班组", en: "no such team") }
        let sheets = try await TeamGridStore.sheets(cycle: cycle, team: team, rater: try user.requireID(), on: db)
        guard !sheets.isEmpty else {
            if try await TeamGridStore.count(cycle: cycle, team: team, on: db) == 0 {
                throw KaoheError.notFound("这个班组在本期没有考核表", en: "this team has no sheets in this cycle")
            }
            throw KaoheError.forbidden("你不是这个班组考核表的评分人", en: "you do not rate this team's sheets")
        }
        return (c, t, sheets)
    }

    /// The grid's columns: exactly the fields `editable` gives the rater of a sheet at the rating
    /// stage, in the scheme's order (`fields`) — the decisions (`….override`) apart.
    static func gridColumns(_ sheets: [Sheet], user: User, engine: ScoringEngine) -> (columns: [GridColumn], decisions: [GridColumn]) {
        guard let first = sheets.first else { return ([], []) }
        // every sheet of a cycle has the same fields: those of one at the rating stage, as its rater has them
        let probe = Sheet()
        probe.stage = .rating; probe.raterId = user.id; probe.$employee.id = first.$employee.id
        let inputs = editable(probe, user, engine)
        let spec = Dictionary(inputs.map { ($0.column, $0) }, uniquingKeysWith: { a, _ in a })
        let all = fields(inputs, engine).map { f in
            GridColumn(column: f.column, label: f.label, item: f.item, min: f.min, max: f.max, grades: f.grades,
                       required: !(spec[f.column]?.optional ?? true))
        }
        return (all.filter { !$0.column.hasSuffix(".override") }, all.filter { $0.column.hasSuffix(".override") })
    }

    /// The grid as the caller reads it now; after a post, with what was typed laid over the rows
    /// that were not saved (a stale row shows the sheet as it now is, and what was typed beside it).
    static func grid(cycle: UUID?, team: UUID?, user: User, db: Database, typed: [UUID: RowInput] = [:],
                     outcomes: [UUID: RowOutcome] = [:], errors: [UUID: [String: String]] = [:]) async throws -> Grid {
        let (c, t, sheets) = try await gridScope(cycle: cycle, team: team, user: user, db: db)
        let engine = try Scoring.engine(c.scheme)
        let (columns, decisionColumns) = gridColumns(sheets, user: user, engine: engine)
        let columnItems = Set(columns.compactMap(\.item))
        let labels = Dictionary((columns + decisionColumns).map { ($0.column, $0.label) }, uniquingKeysWith: { a, _ in a })
        var rows: [GridRow] = []
        // the team scored once, when a sheet has no stored result yet (a month without any evidence)
        var scored: [UUID: SheetResult]?
        for s in sheets {
            let id = try s.requireID()
            let editableNow = !editable(s, user, engine).isEmpty
            var values = try await EvidenceStore.values(of: s, on: db)
            let outcome = outcomes[id]
            var stale = false
            if case .refused(_, status: .conflict, saved: false)? = outcome { stale = true }
            var result: SheetResult?
            var unsaved: [Unsaved] = []
            var reason = ""
            if let mine = typed[id], editableNow {
                let changed = mine.values.filter { k, v in (values[k] ?? "") != v }
                if stale {
                    // the sheet changed meanwhile: shown as it now is, with what was typed beside it
                    unsaved = changed.sorted { $0.key < $1.key }.map { Unsaved(label: labels[$0.key] ?? $0.key, value: $0.value.isEmpty ? "—" : $0.value) }
                } else {
                    values.merge(mine.values) { $1 }
                    reason = mine.reason ?? ""
                    if !changed.isEmpty { result = try? await previewResult(s, values: mine.values, user: user, db: db) }
                }
            }
            if result == nil { result = try await storedResult(s, db: db) }
            if result == nil {
                if scored == nil {
                    let members = try await Scoring.teams(of: Set(sheets.map { $0.$employee.id }), on: db)
                    let all = try await Scoring.score(scheme: c.scheme, period: c.period, members: members, on: db)
                    scored = Dictionary(all.compactMap { pair in pair.0.id.map { ($0, pair.1) } }, uniquingKeysWith: { a, _ in a })
                }
                result = scored?[s.$employee.id]
            }
            let flags = result?.flags ?? []
            let decide = decisionItems(flags)
            let decisions = editableNow ? decisionColumns.filter { d in d.item.map(decide.contains) == true || !(values[d.column] ?? "").isEmpty } : []
            // a mark not yet given is its empty cell, not a line of text as well
            let shown = flags.filter { !($0.code == "missing_mark" && $0.item.map(columnItems.contains) == true) }
            var returned: String?
            if s.stage == .rating, let last = try await SheetStore.lastStep(of: id, on: db), last.action == SheetAction.returnToRater.rawValue {
                returned = last.reason
            }
            rows.append(GridRow(id: id, employee: s.employee.number, name: s.employee.name, stage: s.stage, version: s.version,
                                editable: editableNow, values: values, decisions: decisions, reason: reason,
                                total: result.map { $0.total.format() } ?? s.finalTotal, grade: result?.grade ?? s.grade,
                                flags: flagLines(shown), returned: returned, outcome: outcome, errors: errors[id] ?? [:], unsaved: unsaved))
        }
        return Grid(cycleId: try c.requireID(), teamId: try t.requireID(), team: t.name, scheme: c.scheme.name, period: c.period,
                    ratingDue: c.ratingDue, columns: columns, rows: rows)
    }

    /// A posted grid: each row of the team's sheets the caller rates, in its own transaction with
    /// the version it was read at — saved where its values changed; with `submitComplete`, then
    /// submitted where every required field is filled. A row refused (a stale version, a value out
    /// of range, a decision without a reason, a flag still open) changes nothing of its own and
    /// stops no other row; `say` words a refusal for the reader.
    static func gridPost(cycle: UUID?, team: UUID?, action: GridAction, input: [UUID: RowInput], user: User, config: AppConfig, db: Database,
                         say: (any AbortError) -> String) async throws -> (outcomes: [UUID: RowOutcome], errors: [UUID: [String: String]]) {
        let (c, _, sheets) = try await gridScope(cycle: cycle, team: team, user: user, db: db)
        let engine = try Scoring.engine(c.scheme)
        let (columns, _) = gridColumns(sheets, user: user, engine: engine)
        var outcomes: [UUID: RowOutcome] = [:]
        var errors: [UUID: [String: String]] = [:]
        for s in sheets {
            let id = try s.requireID()
            if case .saveRow(let only) = action, only != id { continue }
            guard let row = input[id] else { continue }
            guard !editable(s, user, engine).isEmpty else {
                // moved on since the page was read (submitted in another tab, returned, published)
                let e = KaoheError.conflict("这张表已在「\(s.stage.label)」阶段，未修改", en: "this sheet is now at stage “\(s.stage.rawValue)”; nothing was changed")
                outcomes[id] = .refused(say(e), status: e.status, saved: false)
                continue
            }
            guard let version = row.version else {
                let e = KaoheError.badInput("version: 缺少版本号，请刷新本页", en: "version: missing; reload the page")
                outcomes[id] = .refused(say(e), status: e.status, saved: false)
                continue
            }
            let stored = try await EvidenceStore.values(of: s, on: db)
            let changed = row.values.contains { k, v in (stored[k] ?? "") != v }
            var current = version
            var saved = false
            if changed {
                let values = row.values, reason = row.reason
                do {
                    current = try await db.writeTransaction { db -> Int in
                        let fresh = try await load(id, on: db)
                        try await write(fresh, version: version, values: values, reason: reason, user: user, db: db)
                        return fresh.version
                    }
                    saved = true
                } catch let e as AbortError where refusals.contains(e.status) {
                    let text = say(e)
                    outcomes[id] = .refused(text, status: e.status, saved: false)
                    if let f = field(of: e) { errors[id, default: [:]][f] = text }
                    continue
                }
            }
            guard action == .submitComplete else {
                outcomes[id] = saved ? .saved : .unchanged
                continue
            }
            let merged = stored.merging(row.values) { $1 }
            let missing = columns.filter { $0.required && (merged[$0.column] ?? "").isBlank }.map(\.label)
            guard missing.isEmpty else {
                outcomes[id] = .incomplete(missing, saved: saved)
                continue
            }
            let at = current
            do {
                try await db.writeTransaction { db in
                    let fresh = try await load(id, on: db)
                    try await act(fresh, action: .submitRating, version: at, reason: nil, values: nil, user: user, config: config, db: db)
                }
                outcomes[id] = .submitted
            } catch let e as AbortError where refusals.contains(e.status) {
                outcomes[id] = .refused(say(e), status: e.status, saved: saved)
            }
        }
        return (outcomes, errors)
    }
}
