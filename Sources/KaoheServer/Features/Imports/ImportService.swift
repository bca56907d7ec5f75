import Fluent
import Foundation
import SQLKit
import KaoheCore
import Metrics
import Vapor

/// Files into the store (issue 5), shared by the web upload, the API and `kaohe import`:
/// the whole file is read and checked by Core first (encoding, XLSX, column mapping, every
/// cell), then every row against the database (unknown 工号, permission); a dry run returns the
/// preview; a commit writes everything in one transaction, records each change so the import
/// can be reverted as a whole, saves the source's column mapping and re-scores the periods.
package enum ImportService {
    enum Kind: String, CaseIterable, Codable, Sendable {
        /// metrics, counts and marks per employee-period (the `kaohe score` columns, by id or label)
        case evidence
        /// raw interaction log rows aggregated into metrics (`interaction_log` of the scheme)
        case log
        /// one event per row: 工号, date, event type (an event column by id or label), note
        case events
        /// the employee roster (HR)
        case roster
    }

    struct Options: Sendable {
        var kind: Kind
        var scheme: String?
        var file: String
        var sheet: String?
        var source: String?
        var mapping: [String: String] = [:]
        var period: String?
        var dryRun: Bool = true
    }

    struct MappingDTO: Content { var header: String; var field: String; var how: String }
    struct ChangeDTO: Content {
        var row: Int
        var employee: String
        var period: String?
        var field: String
        var before: String?
        var after: String?
        var status: String
        /// The field's label (订单总金额), for a page that shows labels, not ids.
        var label: String? = nil
    }

    /// One column of the file and what it maps to: `how` is chosen, saved, id, label, alias
    /// (doubtful: the name of the item that scores the field), none, or unit (the name matched
    /// `refused`, a field whose kind the header's unit contradicts).
    struct ColumnDTO: Content, Equatable {
        var header: String
        var field: String?
        var how: String
        var refused: String? = nil
    }

    /// A field a column can be mapped to, for the page's choices: group identity, metric,
    /// event (counts of offences and events) or mark (what a rater fills in).
    struct FieldDTO: Content, Equatable {
        var id: String
        var label: String
        var group: String
    }

    struct Preview: Content {
        var id: UUID?
        var kind: String
        var file: String
        var sheet: String?
        var source: String?
        var checksum: String
        var scheme: String?
        var schemeVersion: Int?
        var rows: Int
        var created: Int
        var updated: Int
        var unchanged: Int
        var periods: [String]
        var committed: Bool
        var notices: [String]
        var mapping: [MappingDTO]
        var unmapped: [String]
        /// The first 500 changes (new and updated cells), for the preview table.
        var changes: [ChangeDTO]
        /// An earlier committed import of the very same file, if any.
        var sameFileImportedAt: Date?
        /// How many people the file's rows are about.
        var people: Int = 0
        /// Every column of the file in order with its mapping and why.
        var columns: [ColumnDTO] = []
        /// The fields a column could be mapped to (evidence, log and event files).
        var fields: [FieldDTO] = []
    }

    /// A cell to write: employee-period-column → value.
    struct Cell { var line: Int; var employee: Employee; var period: String; var column: String; var value: String; var note: String? }

    static func fail(_ e: InputError) -> KaoheError { KaoheError.invalid(e.description) }

    /// The file: bytes (an upload) or a path (the CLI; a CSV log is then streamed, never held whole).
    enum Input: Sendable {
        case data(Data)
        case path(String)
    }

    static func run(_ o: Options, data: Data, user: User, db: Database) async throws -> Preview {
        try await run(o, input: .data(data), user: user, db: db)
    }

    /// SHA-256 of the file, read in blocks.
    static func checksum(_ input: Input) throws -> String {
        switch input {
        case .data(let d): return SHA256.hash(data: d).hex
        case .path(let p):
            guard let h = FileHandle(forReadingAtPath: p) else { throw KaoheError.badInput("找不到文件：\(p)", en: "no such file: \(p)") }
            defer { try? h.close() }
            var hasher = SHA256()
            while let chunk = try h.read(upToCount: 8 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
            return hasher.finalize().hex
        }
    }

    /// Imports (or previews) a file, counted and timed in /metrics by kind and outcome.
    /// An interaction log on disk imported and committed (`kaohe bench-import`): the values written.
    package static func commitLog(scheme: String, path: String, user: User, db: Database) async throws -> Int {
        try await run(.init(kind: .log, scheme: scheme, file: (path as NSString).lastPathComponent, dryRun: false), input: .path(path), user: user, db: db).created
    }

    static func run(_ o: Options, input: Input, user: User, db: Database) async throws -> Preview {
        let t0 = DispatchTime.now().uptimeNanoseconds
        func count(_ outcome: String) {
            let d = [("kind", o.kind.rawValue), ("outcome", outcome)]
            Counter(label: "kaohe_imports_total", dimensions: d).increment()
            Timer(label: "kaohe_import_seconds", dimensions: d, preferredDisplayUnit: .seconds).recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - t0))
        }
        do {
            let p = try await execute(o, input: input, user: user, db: db)
            count(p.committed ? "committed" : "preview")
            return p
        } catch {
            count("refused")
            throw error
        }
    }

    private static func execute(_ o: Options, input: Input, user: User, db: Database) async throws -> Preview {
        Trace.mark("start")
        // who may send this kind of file is decided before a byte of it is read
        guard Access.canImport(user.viewer, kind: o.kind.rawValue) else {
            throw KaoheError.forbidden("没有导入这类文件（\(o.kind.rawValue)）的权限", en: "your role may not import \(o.kind.rawValue) files")
        }
        let checksum = try checksum(input)
        Trace.mark("checksum")
        // only a CSV log is streamed from a path; everything else is read whole (size-checked)
        var data = Data()
        if case .data(let d) = input { data = d } else if case .path(let p) = input, o.kind != .log {
            do { data = try TextInput.read(path: p) } catch { throw fail(error) }
        }
        let saved = try await savedMapping(source: o.source, kind: o.kind, on: db)
        var preview = Preview(id: nil, kind: o.kind.rawValue, file: o.file, sheet: o.sheet, source: o.source, checksum: checksum, scheme: o.scheme,
                              schemeVersion: nil, rows: 0, created: 0, updated: 0, unchanged: 0, periods: [], committed: false, notices: [],
                              mapping: [], unmapped: [], changes: [], sameFileImportedAt: nil)
        preview.sameFileImportedAt = try await ImportStore.lastCommitted(checksum: checksum, kind: o.kind.rawValue, on: db)?.at
        if let p = o.period, !Period.isValid(p) { throw KaoheError.badInput("period: “\(p)” 不是有效期间", en: "period: “\(p)” is not a period (YYYY-MM)") }
        if o.kind == .roster {
            guard user.viewer.role == .hr else { throw KaoheError.forbidden("只有人事可以导入花名册", en: "only HR imports the roster") }
            var p = try await Roster.run(o, data: data, saved: saved, user: user, db: db, preview: preview)
            if p.people == 0 { p.people = p.rows }
            for k in p.changes.indices { p.changes[k].label = RosterField(rawValue: p.changes[k].field)?.labels.first }
            if p.columns.isEmpty { p.columns = p.mapping.map { ColumnDTO(header: $0.header, field: $0.field, how: $0.how) } + p.unmapped.map { ColumnDTO(header: $0, field: nil, how: "none") } }
            return p
        }
        guard let key = o.scheme else { throw KaoheError.badInput("scheme: 缺少方案", en: "scheme: missing the scheme") }
        guard let version = try await SchemeStore.newest(key: key, on: db) else {
            throw KaoheError.notFound("scheme: 没有方案 “\(key)”", en: "scheme: no such scheme “\(key)”")
        }
        preview.schemeVersion = version.version
        let engine = try Scoring.engine(version)
        var employees: [String: Employee] = [:]
        for e in try await PeopleStore.everyEmployee(on: db) { employees[e.number] = e }
        func employee(_ number: String, line: Int, sheet: String?) throws -> Employee {
            guard let e = employees[number] else {
                throw fail(InputError(file: o.file, sheet: sheet, row: line, column: "工号 employee_id", message: "没有工号为 \(number) 的员工 unknown employee (import the roster first)"))
            }
            return e
        }
        switch o.kind {
        case .evidence, .log:
            var cells: [Cell] = []
            var map: ColumnMap
            if o.kind == .evidence {
                let grid: Grid, result: EvidenceTable.Result
                do {
                    grid = try Grid.read(data, file: o.file, sheet: o.sheet)
                    result = try EvidenceTable.read(grid, engine: engine, saved: saved, chosen: o.mapping, period: o.period)
                } catch { throw fail(error) }
                map = result.map; preview.notices = result.notices; preview.sheet = grid.sheet; preview.rows = result.rows.count
                preview.columns = columns(map, header: grid.header)
                for r in result.rows {
                    let emp = try employee(r.employee, line: r.line, sheet: grid.sheet)
                    for (column, value) in r.values.sorted(by: { $0.key < $1.key }) {
                        cells.append(Cell(line: r.line, employee: emp, period: r.period!, column: column, value: value, note: "导入 \(o.file)"))
                    }
                }
            } else {
                let summary: LogSummary
                var explanations: [String: String] = [:]
                do {
                    if case .path(let p) = input {
                        summary = try LogAggregator.aggregate(path: p, scheme: engine.scheme, sheet: o.sheet, saved: saved, chosen: o.mapping, period: o.period)
                    } else {
                        summary = try LogAggregator.aggregate(data, file: o.file, scheme: engine.scheme, sheet: o.sheet, saved: saved, chosen: o.mapping, period: o.period)
                    }
                    explanations = engine.scheme.interactionLog?.explanations ?? [:]
                } catch { throw fail(error) }
                map = summary.map; preview.notices = summary.notices; preview.rows = summary.rows
                preview.columns = columns(map, header: nil)
                for t in summary.totals {
                    let emp = try employee(t.employee, line: t.firstLine, sheet: o.sheet)
                    for (metric, value) in t.values.sorted(by: { $0.key < $1.key }) {
                        let how = explanations[metric].map { " = \($0)" } ?? ""
                        cells.append(Cell(line: t.firstLine, employee: emp, period: t.period, column: metric, value: value,
                                          note: "交互日志 \(o.file)：\(t.rows) 行\(how) (R-001-12)"))
                    }
                }
            }
            Trace.mark("read and aggregated")
            preview.mapping = map.matches.map { MappingDTO(header: $0.header, field: $0.target, how: $0.how.rawValue) }
            preview.unmapped = map.unmapped
            let qa = EvidenceAccess.qaColumns(engine.scheme)
            for c in cells {
                do { try EvidenceAccess.authorize(column: c.column, user.viewer, c.employee, engine, qa: qa) } catch {
                    throw KaoheError.forbidden("\(o.file), 第 \(c.line) 行: 无权录入 \(c.employee.number) 的 “\(c.column)”", en: "\(o.file), row \(c.line): not allowed to record “\(c.column)” of \(c.employee.number)")
                }
            }
            preview.fields = fields(o.kind, engine)
            preview.people = Set(cells.map(\.employee.number)).count
            let applied = try await Evidence.apply(cells, o: o, version: version, map: map, user: user, db: db, preview: preview)
            return labelled(applied, engine)
        case .events:
            var p = try await Events.run(o, data: data, saved: saved, engine: engine, version: version, user: user, db: db, preview: preview,
                                         employee: employee)
            p.fields = fields(.events, engine)
            if p.columns.isEmpty { p.columns = p.mapping.map { ColumnDTO(header: $0.header, field: $0.field, how: $0.how) } + p.unmapped.map { ColumnDTO(header: $0, field: nil, how: "none") } }
            if p.people == 0 { p.people = Set(p.changes.map(\.employee)).count }
            return labelled(p, engine)
        case .roster:
            // the roster belongs to no scheme and returned above; never reached
            throw KaoheError.internalFault("roster import without a scheme")
        }
    }

    /// Whether a stored value and a file's value are the same: numbers by value (`42` and
    /// `42.0`, `261774.2` and `261774.20` are one number, compared as `Fixed`), anything else
    /// (grades, text) as written.
    static func same(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard let x = Fixed(a), let y = Fixed(b) else { return false }
        return x == y
    }

    /// The file's columns in order (or, without the header, the matched ones then the rest),
    /// each with its field and how it was found.
    static func columns(_ map: ColumnMap, header: [String]?) -> [ColumnDTO] {
        let byHeader = Dictionary(map.matches.map { ($0.header, $0) }, uniquingKeysWith: { a, _ in a })
        func row(_ h: String) -> ColumnDTO {
            if let m = byHeader[h] { return ColumnDTO(header: h, field: m.target, how: m.how.rawValue) }
            if let t = map.refused[h] { return ColumnDTO(header: h, field: nil, how: "unit", refused: t) }
            return ColumnDTO(header: h, field: nil, how: map.skipped[h]?.rawValue ?? "none")
        }
        if let header { return header.filter { !$0.isEmpty }.map(row) }
        return map.matches.sorted { $0.column < $1.column }.map { row($0.header) } + map.unmapped.map(row)
    }

    /// The fields a column of this kind of file can be mapped to, by label and group.
    static func fields(_ kind: Kind, _ engine: ScoringEngine) -> [FieldDTO] {
        switch kind {
        case .evidence:
            let metrics = Set(engine.scheme.metrics.map(\.id))
            return EvidenceTable.fixedTargets.map { FieldDTO(id: $0.id, label: $0.name, group: "identity") }
                + engine.inputs.map { i in
                    FieldDTO(id: i.column, label: i.label, group: metrics.contains(i.column) ? "metric" : (i.kind == .count && i.rater == nil ? "event" : "mark"))
                }
        case .log:
            return (engine.scheme.interactionLog?.targets ?? []).map { t in
                FieldDTO(id: t.id, label: t.name, group: ["agent", "time"].contains(t.id) ? "identity" : "metric")
            }
        case .events:
            return Events.targets.map { FieldDTO(id: $0.id, label: $0.name, group: "identity") }
        case .roster:
            return RosterField.allCases.map { FieldDTO(id: $0.rawValue, label: $0.target.name, group: "identity") }
        }
    }

    /// The preview with each change's field named by its label.
    static func labelled(_ p: Preview, _ engine: ScoringEngine) -> Preview {
        var p = p
        for k in p.changes.indices {
            if let i = engine.columnIndex[p.changes[k].field] { p.changes[k].label = engine.inputs[i].label }
        }
        return p
    }

    /// The columns of an upload and what they would map to, read again after a refusal so that
    /// the page can offer the choices (nil when the file cannot even be read as a table).
    static func proposal(_ o: Options, data: Data, db: Database) async -> (columns: [ColumnDTO], fields: [FieldDTO])? {
        do {
            let saved = try await savedMapping(source: o.source, kind: o.kind, on: db)
            let grid = try Grid.read(data, file: o.file, sheet: o.sheet)
            if o.kind == .roster {
                let map = try ColumnMap.resolve(header: grid.header, targets: RosterField.allCases.map(\.target), saved: saved, chosen: o.mapping, file: o.file)
                return (columns(map, header: grid.header), [])
            }
            guard let key = o.scheme, let version = try await SchemeStore.newest(key: key, on: db) else { return nil }
            let engine = try Scoring.engine(version)
            let targets: [MappingTarget]
            switch o.kind {
            case .evidence: targets = EvidenceTable.targets(engine)
            case .log: targets = engine.scheme.interactionLog?.targets ?? []
            case .events: targets = Events.targets
            case .roster: targets = []
            }
            let map = try ColumnMap.resolve(header: grid.header, targets: targets, saved: saved, chosen: o.mapping, file: o.file, sheet: grid.sheet)
            return (columns(map, header: grid.header), fields(o.kind, engine))
        } catch {
            return nil
        }
    }

    static func savedMapping(source: String?, kind: Kind, on db: Database) async throws -> [String: String] {
        guard let source, let m = try await ImportStore.mapping(source: source, kind: kind.rawValue, on: db) else { return [:] }
        return (try? JSONDecoder().decode([String: String].self, from: Data(m.mapping.utf8))) ?? [:]
    }

    /// Saves the mapping a committed import used, so the source's next file maps itself.
    /// The batch a commit writes first: the file, its checksum and the preview's counts.
    static func batch(_ o: Options, kind: String, sheet: String?, preview p: Preview, schemeId: UUID?, periods: [String] = [],
                      user: User, on db: Database) async throws -> UUID {
        let batch = ImportRecord(kind: kind, fileName: o.file, sheet: sheet, source: o.source, checksum: p.checksum, rows: p.rows,
                                 created: p.created, updated: p.updated, unchanged: p.unchanged, recordedBy: user.id, schemeId: schemeId, periods: periods)
        try await batch.save(on: db)
        return try batch.requireID()
    }

    /// The end of every commit, inside its transaction: the import audited with its counts and
    /// checksum, the column mapping kept for the source, and — for evidence and events — the
    /// touched sheets marked and each period re-scored (`touched`: the people written, by period).
    static func finish(_ o: Options, kind: Kind, batch bid: UUID, preview p: Preview, map: ColumnMap,
                       rescore: (version: SchemeVersion, touched: [String: [UUID]])?, user: User, on db: Database) async throws {
        try await Audit.record(on: db, actor: user, action: "import", entity: kind.rawValue, id: bid.uuidString,
                               after: "file=\(o.file) rows=\(p.rows) new=\(p.created) updated=\(p.updated) unchanged=\(p.unchanged) sha256=\(p.checksum)")
        try await saveMapping(map, source: o.source, kind: kind, user: user, on: db)
        guard let (version, touched) = rescore else { return }
        let schemeId = try version.requireID()
        for (period, people) in touched.sorted(by: { $0.key < $1.key }) {
            try await SheetStore.touch(employees: people, period: period, scheme: schemeId, by: user, on: db)
        }
        if touched.values.contains(where: { !$0.isEmpty }) {
            for period in touched.keys.sorted() { try await Rescorer.rescore(version, period: period, on: db) }
        }
    }

    static func saveMapping(_ map: ColumnMap, source: String?, kind: Kind, user: User, on db: Database) async throws {
        guard let source, !source.isEmpty else { return }
        let json = String(decoding: try JSONEncoder.sorted.encode(map.saved), as: UTF8.self)
        if let m = try await ImportStore.mapping(source: source, kind: kind.rawValue, on: db) {
            guard m.mapping != json else { return }
            m.mapping = json; m.updatedAt = Date(); m.updatedBy = user.id
            try await m.save(on: db)
        } else {
            try await ImportMapping(source: source, kind: kind.rawValue, mapping: json, by: user.id).save(on: db)
        }
    }

    /// The version of the periods' sheets, when they have one (else the newest, as given).
    static func sheetVersion(_ newest: SchemeVersion, periods: [String], on db: Database) async throws -> SchemeVersion {
        var found: [SchemeVersion] = []
        for p in periods { if let v = try await SheetStore.version(key: newest.key, period: p, on: db) { found.append(v) } }
        return found.max { $0.version < $1.version } ?? newest
    }

    /// Refuses a whole file when one of its values would change a published or locked result
    /// (R-100-02), naming the row.
    static func refuseClosed(_ cells: [Cell], key: String, file: String, on db: Database) async throws {
        let people = Array(Set(cells.compactMap { $0.employee.id }))
        guard let closed = try await SheetStore.firstClosed(employees: people, periods: Array(Set(cells.map(\.period))), key: key, on: db),
              let c = cells.first(where: { $0.employee.id == closed.employee_id && $0.period == closed.period }) else { return }
        throw KaoheError.conflict("\(file), 第 \(c.line) 行: \(c.employee.number) \(c.period) 的考核结果已\(closed.stage == SheetStage.locked.rawValue ? "锁定" : "发布")，只能在考核表 /sheets/\(closed.sheet_id) 上以“更正”说明原因修改（R-100-02）；整个文件未导入", en: "\(file), row \(c.line): the result of \(c.employee.number) \(c.period) is \(closed.stage == SheetStage.locked.rawValue ? "locked" : "published"); change it through a correction on /sheets/\(closed.sheet_id) (R-100-02); nothing was imported")
    }

    static let changeColumns = ["id", "import_id", "seq", "entity", "target_id", "field", "before", "after"]

    /// One `import_changes` row for `bulkInsert`.
    static func change(_ batch: UUID, _ seq: Int, _ entity: String, _ target: UUID, field: String? = nil, before: String?, after: String?) -> [any Encodable & Sendable] {
        [UUID(), batch, seq, entity, target, field, before, after]
    }


    enum Evidence {
        static func apply(_ cells: [Cell], o: Options, version newest: SchemeVersion, map: ColumnMap, user: User, db: Database, preview p: Preview) async throws -> Preview {
            var preview = p
            let periods = Set(cells.map(\.period)).sorted()
            // the values go to the version of their month's sheets (issue 14 §5)
            let version = try await ImportService.sheetVersion(newest, periods: periods, on: db)
            let schemeId = try version.requireID()
            var existing: [String: EvidenceEntry] = [:]
            for period in periods {
                for e in try await EvidenceStore.entries(scheme: schemeId, period: period, on: db) {
                    existing["\(e.$employee.id)|\(period)|\(e.column)"] = e
                }
            }
            var writes: [(Cell, EvidenceEntry?)] = []
            for c in cells {
                let old = existing["\(c.employee.id!)|\(c.period)|\(c.column)"]
                if let old, ImportService.same(old.value, c.value) { preview.unchanged += 1; continue }
                if old == nil { preview.created += 1 } else { preview.updated += 1 }
                writes.append((c, old))
                if preview.changes.count < 500 {
                    preview.changes.append(ChangeDTO(row: c.line, employee: c.employee.number, period: c.period, field: c.column, before: old?.value,
                                                     after: c.value, status: old == nil ? "new" : "updated"))
                }
            }
            preview.periods = periods
            try await ImportService.refuseClosed(writes.map(\.0), key: version.key, file: o.file, on: db)
            guard !o.dryRun else { return preview }
            let frozen = preview
            let todoWrites = writes
            let id: UUID = try await db.writeTransaction { db in
                let bid = try await batch(o, kind: o.kind.rawValue, sheet: frozen.sheet, preview: frozen, schemeId: schemeId, periods: periods, user: user, on: db)
                var created: [[any Encodable & Sendable]] = []
                var changes: [[any Encodable & Sendable]] = []
                let now = Date()
                for (c, old) in todoWrites {
                    if let old {
                        let before = old.value
                        old.value = c.value; old.recordedBy = user.id; old.recordedAt = now; old.note = c.note
                        try await old.save(on: db)
                        changes.append(change(bid, changes.count, "evidence", try old.requireID(), before: before, after: c.value))
                        try await Audit.record(on: db, actor: user, action: "update", entity: "evidence", id: "\(c.employee.number)/\(c.period)/\(c.column)",
                                               before: before, after: c.value, reason: "导入 \(o.file)")
                    } else {
                        let id = UUID()
                        created.append([id, c.period, c.column, c.value, now, user.id, c.note, try c.employee.requireID(), schemeId])
                        changes.append(change(bid, changes.count, "evidence", id, before: nil, after: c.value))
                    }
                }
                Trace.mark("changes planned")
                try await StoreSQL.bulkInsert(into: EvidenceEntry.schema, columns: ["id", "period", "column", "value", "recorded_at", "recorded_by", "note", "employee_id", "scheme_id"],
                                     rows: created, on: db)
                Trace.mark("evidence inserted")
                try await StoreSQL.bulkInsert(into: ImportChange.schema, columns: changeColumns, rows: changes, on: db)
                Trace.mark("changes inserted")
                let touched = Dictionary(periods.map { p in (p, Array(Set(todoWrites.filter { $0.0.period == p }.compactMap { $0.0.employee.id }))) }, uniquingKeysWith: { a, _ in a })
                try await finish(o, kind: o.kind, batch: bid, preview: frozen, map: map, rescore: (version, touched), user: user, on: db)
                Trace.mark("rescored")
                return bid
            }
            preview.id = id
            preview.committed = true
            return preview
        }
    }
}



extension JSONEncoder {
    package static var sorted: JSONEncoder { let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]; return e }
}
