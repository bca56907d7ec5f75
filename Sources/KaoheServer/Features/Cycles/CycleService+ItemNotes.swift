import Fluent
import Foundation
import KaoheCore
import Vapor

/// The agent's view of a sheet (issue 17 §4): the performance pay and every money line of a
/// published month (R-100-01), the rater's and reviewer's comments on any item (part of the
/// sheet's record), and objections that point at items — several in one objection, each with its
/// reason, each decided by the reviewer (upheld, or changed with the item's new points). The
/// transitions stay `act`'s (SheetFlow: who, when, the objection window); this adds their per-item part.
extension CycleService {
    /// The month's performance pay as the engine worked it out (the scheme's pay rule).
    struct PayDTO: Content {
        /// yuan, two decimals
        var base: String
        var paid: String
        /// waits for a rater's decision (R-100-04)
        var provisional: Bool
        var rule: String
        var explanation: String
    }

    /// A fine (negative) or a reward in yuan: the sheet's money lines and the month's money outcomes (R-100-03).
    struct MoneyDTO: Content { var id: String; var label: String; var rule: String; var amount: String; var explanation: String }

    struct CommentDTO: Content {
        var item: String
        var author: String
        /// rater | reviewer
        var role: String
        var text: String
        var at: Date
        /// written by the caller
        var mine: Bool
    }

    struct ObjectionItemDTO: Content {
        var item: String
        var label: String
        var reason: String
        /// the item's points (a money line: yuan) when objected
        var points: String?
        var objectedAt: Date
        /// nil while undecided; upheld | changed
        var decision: String?
        var note: String?
        /// the item's points (or yuan) after the decision
        var after: String?
        var decidedBy: String?
        var decidedAt: Date?
    }

    /// An item the employee objects to, with the reason.
    struct ObjectedItem: Content { var item: String; var reason: String }

    /// The reviewer's decision on one objected item: `upheld` or `changed` (the item's new marks
    /// go with the action's values), with an optional note.
    struct ItemDecision: Content { var item: String; var decision: String; var note: String? }

    /// The items of the sheet's scheme a comment or an objection may name (its sections' items,
    /// adjustments and money lines), in the scheme's order, with their labels.
    static func itemLabels(_ s: Sheet) throws -> [(id: String, label: String)] {
        let scheme = try Scoring.engine(s.cycle.scheme).scheme
        return (scheme.sections.flatMap(\.items) + scheme.adjustments + scheme.money).map { (id: $0.id, label: $0.label) }
    }

    /// Who may comment on the items now: the rater while rating, the reviewer while reviewing,
    /// calibrating or deciding an objection — while the sheet is theirs to edit.
    static func commentRole(_ s: Sheet, _ user: User) -> SheetActor? {
        let r = roles(s, user)
        switch s.stage {
        case .rating where r.contains(.rater): return .rater
        case .review where r.contains(.reviewer), .ready where r.contains(.reviewer), .objected where r.contains(.reviewer): return .reviewer
        default: return nil
        }
    }

    /// The stored result of the sheet, or nil.
    static func storedSheet(_ s: Sheet, db: Database) async throws -> SheetResult? {
        guard let r = try await ResultStore.result(employee: s.$employee.id, scheme: s.cycle.$scheme.id, period: s.cycle.period, on: db) else { return nil }
        return try ResultStore.sheet(r, employee: s.employee.number)
    }

    /// An item's points as shown (a money line: yuan), or nil.
    static func shownPoints(_ r: SheetResult?, _ item: String) -> String? {
        guard let r else { return nil }
        if let i = r.item(item) { return i.points?.format() }
        return r.moneyLine(item).map { $0.amount.yuan }
    }

    // MARK: comments

    /// Writes the caller's comments on items (item id → text): a changed one is a new row (the
    /// earlier stays in the record), an empty one withdraws it; each change audited. Only the
    /// rater while rating and the reviewer while the sheet is theirs write comments.
    static func comment(_ s: Sheet, _ comments: [String: String], user: User, db: Database) async throws {
        guard !comments.isEmpty else { return }
        guard let role = commentRole(s, user) else {
            // a form read while the sheet was the caller's sends its (empty) boxes: nothing to refuse
            guard comments.values.contains(where: { !$0.isBlank }) else { return }
            throw KaoheError.forbidden("comments: 只有评分人（评分时）和复核人（复核、校准或处理申诉时）可以对项目写评语",
                                       en: "comments: only the rater (while rating) and the reviewer (while reviewing, calibrating or deciding an objection) comment on items")
        }
        let labels = Dictionary(try itemLabels(s).map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a })
        let sid = try s.requireID()
        let rows = try await SheetNoteStore.comments(sheet: sid, on: db)
        for (item, raw) in comments.sorted(by: { $0.key < $1.key }) {
            guard let label = labels[item] else {
                throw KaoheError.invalid("comments.\(InputLimits.quote(item)): 这张考核表没有这个项目", en: "comments.\(InputLimits.quote(item)): no such item on this sheet")
            }
            let text = try NoteText.clean(raw, field: "comments.\(item)（\(label)）")
            let mine = rows.last { $0.item == item && $0.authorId == user.id }
            if (mine?.text ?? "") == text { continue }
            try await SheetNoteStore.add(SheetComment(sheet: sid, item: item, author: user, role: role.rawValue, stage: s.stage.rawValue, text: text), on: db)
            try await Audit.record(on: db, actor: user, action: text.isEmpty ? "withdraw_comment" : "comment", entity: "sheet",
                                   id: "\(s.employee.number)/\(s.cycle.period)/\(item)", before: mine?.text, after: text)
        }
    }

    // MARK: objections per item

    /// One step of the sheet's flow with its per-item part: an objection (`object`) naming items,
    /// each with its reason (the overall `reason` is then an optional note); the reviewer's
    /// `uphold` or `change` deciding each objected item. An objection without items objects to the
    /// sheet as a whole, as before. The transition itself, its window and its reason are `act`'s.
    static func actOnItems(_ s: Sheet, action: SheetAction, version: Int, reason: String?, values: [String: String]?,
                           objected: [ObjectedItem], decisions: [ItemDecision], user: User, config: AppConfig, db: Database) async throws {
        let r = roles(s, user)
        if action == .object, r.contains(.employee), s.stage == .published, !objected.isEmpty {
            try await objectToItems(s, version: version, note: reason, objected: objected, user: user, config: config, db: db)
            return
        }
        if [.uphold, .change].contains(action), r.contains(.reviewer), s.stage == .objected {
            try await decideItems(s, action: action, version: version, reason: reason, values: values, decisions: decisions, user: user, config: config, db: db)
            return
        }
        if !objected.isEmpty, action != .object {
            throw KaoheError.invalid("objection_items: 只有提出申诉时可以指明项目", en: "objection_items: items are named only when objecting (action object)")
        }
        if !decisions.isEmpty, ![.uphold, .change].contains(action) {
            throw KaoheError.invalid("decisions: 只有处理申诉（维持或修改结果）时逐项决定", en: "decisions: items are decided only when deciding an objection (uphold or change)")
        }
        try await act(s, action: action, version: version, reason: reason, values: values, user: user, config: config, db: db)
    }

    static func objectToItems(_ s: Sheet, version: Int, note: String?, objected: [ObjectedItem], user: User, config: AppConfig, db: Database) async throws {
        let labels = Dictionary(try itemLabels(s).map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a })
        let sid = try s.requireID()
        let stored = try await storedSheet(s, db: db)
        var seen = Set<String>()
        var rows: [ObjectionItem] = []
        for o in objected {
            guard let label = labels[o.item] else {
                throw KaoheError.invalid("objection_items.\(InputLimits.quote(o.item)): 这张考核表没有项目 “\(InputLimits.quote(o.item))”，不能申诉",
                                         en: "objection_items.\(InputLimits.quote(o.item)): there is no item “\(InputLimits.quote(o.item))” on this sheet")
            }
            guard seen.insert(o.item).inserted else {
                throw KaoheError.invalid("objection_items.\(o.item)（\(label)）: 同一项目只能列一次", en: "objection_items.\(o.item): the item is listed twice")
            }
            let text = try NoteText.clean(o.reason, field: "objection_items.\(o.item)（\(label)）")
            guard !text.isEmpty else {
                throw KaoheError.invalid("objection_items.\(o.item)（\(label)）: 请写明对这一项的申诉理由", en: "objection_items.\(o.item) (\(label)): write why you object to this item")
            }
            rows.append(ObjectionItem(sheet: sid, item: o.item, label: label, reason: text, points: shownPoints(stored, o.item)))
        }
        let overall = try note.map { try NoteText.clean($0, field: "reason") }.flatMap { $0.isEmpty ? nil : $0 }
        // the step's reason: the overall note, else the items' reasons (the history reads either)
        let stepReason = overall ?? rows.map { "「\($0.label)」\($0.reason)" }.joined(separator: "；")
        try await act(s, action: .object, version: version, reason: stepReason, values: nil, user: user, config: config, db: db)
        try await SheetNoteStore.save(rows, on: db)
    }

    static func decideItems(_ s: Sheet, action: SheetAction, version: Int, reason: String?, values: [String: String]?, decisions: [ItemDecision],
                       user: User, config: AppConfig, db: Database) async throws {
        let open = try await SheetNoteStore.undecidedItems(sheet: try s.requireID(), on: db)
        guard !open.isEmpty else {
            if !decisions.isEmpty {
                throw KaoheError.invalid("decisions: 这次申诉针对整张考核表，没有指明项目，不需逐项决定", en: "decisions: this objection names no items; decide it as a whole")
            }
            try await act(s, action: action, version: version, reason: reason, values: values, user: user, config: config, db: db)
            return
        }
        var byItem: [String: ItemDecision] = [:]
        var notes: [String: String] = [:]
        for d in decisions {
            guard let row = open.first(where: { $0.item == d.item }) else {
                throw KaoheError.invalid("decisions.\(InputLimits.quote(d.item)): 不是这次申诉的项目", en: "decisions.\(InputLimits.quote(d.item)): not an item of this objection")
            }
            guard ["upheld", "changed"].contains(d.decision) else {
                throw KaoheError.invalid("decisions.\(d.item)（\(row.label)）: 须为 upheld（维持）或 changed（修改）", en: "decisions.\(d.item): must be upheld or changed")
            }
            guard byItem[d.item] == nil else {
                throw KaoheError.invalid("decisions.\(d.item)（\(row.label)）: 同一项目只能决定一次", en: "decisions.\(d.item): decided twice")
            }
            byItem[d.item] = d
            if let n = try d.note.map({ try NoteText.clean($0, field: "decisions.\(d.item)（\(row.label)）.note") }), !n.isEmpty { notes[d.item] = n }
        }
        if action == .uphold {
            if let d = byItem.values.first(where: { $0.decision == "changed" }), let row = open.first(where: { $0.item == d.item }) {
                throw KaoheError.invalid("decisions.\(d.item)（\(row.label)）: 标为修改；要修改结果请用「修改结果」", en: "decisions.\(d.item): marked changed; change the result instead of upholding it")
            }
        } else {
            for row in open where byItem[row.item] == nil {
                throw KaoheError.invalid("decisions.\(row.item)（\(row.label)）: 请对这一申诉项目作出决定：维持或修改", en: "decisions.\(row.item) (\(row.label)): decide this objected item: upheld or changed")
            }
            guard byItem.values.contains(where: { $0.decision == "changed" }) else {
                throw KaoheError.invalid("decisions: 没有一项标为修改；都维持请用「维持原结果」", en: "decisions: no item is changed; uphold the result instead")
            }
            // a changed item's marks change; an upheld one's do not (a column belongs to the item before its dot)
            let existing = try await EvidenceStore.values(of: s, on: db)
            let changed = (values ?? [:]).filter { k, v in (existing[k] ?? "") != v.trimmingCharacters(in: .whitespaces) }.keys.sorted()
            func item(of column: String) -> String { String(column.split(separator: ".").first ?? "") }
            for row in open {
                let touched = changed.filter { item(of: $0) == row.item }
                if byItem[row.item]?.decision == "changed", touched.isEmpty {
                    throw KaoheError.invalid("decisions.\(row.item)（\(row.label)）: 标为修改，但这一项的分数没有改动：请填写新的分数",
                                             en: "decisions.\(row.item) (\(row.label)): marked changed, but none of its marks changed; enter the new value")
                }
                if byItem[row.item]?.decision == "upheld", let c = touched.first {
                    throw KaoheError.invalid("values.\(c): 申诉项目「\(row.label)」标为维持，不能修改它的分数", en: "values.\(c): the objected item \(row.label) is upheld; its marks cannot change")
                }
            }
        }
        // the step's reason: the overall reason, else every item's note
        var stepReason = reason.flatMap { $0.isBlank ? nil : $0 }
        if stepReason == nil, open.allSatisfy({ notes[$0.item] != nil }) {
            stepReason = open.map { "「\($0.label)」\(notes[$0.item]!)" }.joined(separator: "；")
        }
        try await act(s, action: action, version: version, reason: stepReason, values: values, user: user, config: config, db: db)
        let after = try await storedSheet(s, db: db)
        let now = Date()
        for row in open {
            row.decision = action == .uphold ? "upheld" : byItem[row.item]?.decision
            row.note = notes[row.item]
            row.after = shownPoints(after, row.item)
            row.decidedBy = user.id; row.decidedByName = user.displayName; row.decidedAt = now
        }
        try await SheetNoteStore.save(open, on: db)
    }

    // MARK: the sheet as read

    /// What the sheet shows beside its marks: the pay and money lines once the month is published
    /// (only published or locked sheets count, R-100-01), the comments, the objection's items.
    static func annotate(_ dto: inout SheetDTO, _ s: Sheet, result: SheetResult?, user: User, db: Database) async throws {
        let sid = try s.requireID()
        // before publication the employee sees the stage and their own marks only (as `view`)
        let own = roles(s, user) == [.employee] && !s.stage.isClosed
        if s.stage.isClosed, let r = result {
            dto.pay = r.pay.map { PayDTO(base: $0.base.yuan, paid: $0.paid.yuan, provisional: $0.provisional, rule: $0.rules.joined(separator: ","), explanation: $0.explanation) }
            var money = r.money.map { MoneyDTO(id: $0.item, label: $0.label, rule: $0.rules.joined(separator: ","), amount: $0.amount.yuan, explanation: $0.explanation) }
            // the month's money outcomes (rank rewards, level bonuses …) as the scheme's policies computed them (R-100-03)
            let eid = s.$employee.id
            let outcomes = try await OutcomeStore.byEmployee(period: s.cycle.period, employees: [eid], on: db)[eid] ?? []
            for o in outcomes where o.schemeKey == s.cycle.scheme.key && o.valueType == "money" {
                money.append(MoneyDTO(id: o.kind, label: o.form.label, rule: o.rules, amount: o.amount ?? o.value, explanation: o.explanation))
            }
            dto.money = money
            let sum = money.reduce(Decimal(0)) { $0 + (Decimal(string: $1.amount, locale: Locale(identifier: "en_US_POSIX")) ?? 0) }
            dto.moneyTotal = money.isEmpty ? nil : sum.yuan
        }
        dto.commentable = commentRole(s, user) != nil
        guard !own else { return }
        let rows = try await SheetNoteStore.comments(sheet: sid, on: db)
        func dtoOf(_ c: SheetComment) -> CommentDTO {
            CommentDTO(item: c.item, author: c.authorName, role: c.role, text: c.text, at: c.at, mine: c.authorId != nil && c.authorId == user.id)
        }
        // each author's newest comment on an item; a withdrawn one is not shown
        var current: [String: SheetComment] = [:]
        for c in rows { current["\(c.item)|\(c.authorId?.uuidString ?? c.authorName)"] = c }
        dto.comments = rows.filter { c in current["\(c.item)|\(c.authorId?.uuidString ?? c.authorName)"] === c && !c.text.isEmpty }.map(dtoOf)
        dto.commentLog = rows.map(dtoOf)
        dto.objection = try await SheetNoteStore.objectionItems(sheet: sid, on: db).map {
            ObjectionItemDTO(item: $0.item, label: $0.label, reason: $0.reason, points: $0.points, objectedAt: $0.objectedAt, decision: $0.decision,
                             note: $0.note, after: $0.after, decidedBy: $0.decidedByName, decidedAt: $0.decidedAt)
        }
    }
}

/// Text a person writes on a sheet (a comment, an objection's reason, a decision's note): at most
/// `maxLength` characters, no control characters (line breaks and tabs are text), trimmed. HTML
/// in it is text: every page escapes it.
enum NoteText {
    static let maxLength = 1000

    static func clean(_ raw: String, field: String) throws -> String {
        let text = raw.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count > maxLength {
            throw KaoheError.invalid("\(field): 最多 \(maxLength) 字，这段有 \(text.count) 字", en: "\(field): at most \(maxLength) characters; this has \(text.count)")
        }
        if let bad = text.unicodeScalars.first(where: isControl) {
            let code = "U+" + String(bad.value, radix: 16, uppercase: true)
            throw KaoheError.invalid("\(field): 含控制字符 \(code)，请删去后再提交", en: "\(field): contains the control character \(code); remove it")
        }
        return text
    }

    /// A control character (C0, DEL, C1) other than a line break or a tab, or a bidirectional
    /// override that would make the text read otherwise than it is stored.
    static func isControl(_ u: Unicode.Scalar) -> Bool {
        if u == "\n" || u == "\t" { return false }
        if u.properties.generalCategory == .control { return true }
        return (0x202A...0x202E).contains(u.value) || (0x2066...0x2069).contains(u.value)
    }
}
