import Fluent
import Foundation
import KaoheCore
import Vapor

extension ImportService {
    /// Reads a one-row-per-record file and maps its header; the preview gets the sheet, row
    /// count, notices and mapping. A missing required column is refused naming what is needed.
    static func table(_ o: Options, data: Data, saved: [String: String], targets: [MappingTarget], needs: String,
                      preview: inout Preview) throws -> (Grid, ColumnMap) {
        let grid: Grid, map: ColumnMap
        do {
            grid = try Grid.read(data, file: o.file, sheet: o.sheet)
            map = try ColumnMap.resolve(header: grid.header, targets: targets, saved: saved, chosen: o.mapping, file: o.file, sheet: grid.sheet)
        } catch { throw fail(error) }
        if !map.missing.isEmpty {
            throw fail(grid.error(row: 1, "缺少必需的列 missing required columns: \(map.missing.joined(separator: ", "))（\(needs)）；文件的列 the file has: \(grid.header.joined(separator: ", "))"))
        }
        preview.sheet = grid.sheet; preview.rows = grid.rows.count; preview.notices = grid.notices
        preview.mapping = map.matches.map { MappingDTO(header: $0.header, field: $0.target, how: $0.how.rawValue) }
        preview.unmapped = map.unmapped
        preview.columns = columns(map, header: grid.header)
        return (grid, map)
    }

    /// One event per row (deduction, commendation, complaint, praise, late arrival, QA grade):
    /// 工号, date, event type — an event column of the scheme by id or label — and a note.
    /// An event already recorded (same person, type, day and note) is unchanged, so the same
    /// file twice adds nothing.
    enum Events {
        static let targets = [
            MappingTarget(id: "employee_id", labels: EvidenceTable.fixedTargets[0].labels, required: true),
            MappingTarget(id: "date", labels: ["日期", "发生日期", "發生日期", "时间", "date", "occurred on"], required: true),
            MappingTarget(id: "event", labels: ["事件", "事件类型", "类型", "项目", "扣分项目", "奖惩项目", "event", "type"], required: true),
            MappingTarget(id: "note", labels: ["说明", "备注", "情况说明", "事由", "note", "remark"]),
            MappingTarget(id: "count", labels: ["次数", "count", "times"]),
            MappingTarget(id: "name", labels: ["姓名", "name"]),
        ]

        /// Event columns of a scheme: every count input, found by id, by label, or by the last part
        /// of its label (`紀律作風·遲到早退` → 遲到早退) when that short name is not shared by two
        /// columns; a shared short name maps to the labels it could mean (the file must say which).
        static func eventColumns(_ engine: ScoringEngine) -> (columns: [String: String], ambiguous: [String: [String]]) {
            var out: [String: String] = [:]
            var short: [String: [String]] = [:]
            for i in engine.inputs where i.kind == .count {
                out[ColumnMap.normalise(i.column)] = i.column
                out[ColumnMap.normalise(i.label)] = out[ColumnMap.normalise(i.label)] ?? i.column
                for sep in ["·", "：", ":", "/", "—"] where i.label.contains(sep) {
                    if let last = i.label.components(separatedBy: sep).last { short[ColumnMap.normalise(last), default: []].append(i.label) }
                }
            }
            var ambiguous: [String: [String]] = [:]
            for (k, labels) in short where out[k] == nil {
                if labels.count == 1, let i = engine.inputs.first(where: { $0.label == labels[0] && $0.kind == .count }) { out[k] = i.column }
                else { ambiguous[k] = labels }
            }
            return (out, ambiguous)
        }

        static func run(_ o: Options, data: Data, saved: [String: String], engine: ScoringEngine, version newest: SchemeVersion, user: User, db: Database,
                        preview p: Preview, employee: (String, Int, String?) throws -> Employee) async throws -> Preview {
            var preview = p
            let (grid, map) = try table(o, data: data, saved: saved, targets: targets, needs: "工号、日期、事件", preview: &preview)
            let (columns, ambiguous) = eventColumns(engine)
            let cal = engine.scheme.calendar
            let ec = map.column("employee_id")!, dc = map.column("date")!, tc = map.column("event")!, nc = map.column("note"), cc = map.column("count")
            struct New { var line: Int; var emp: Employee; var column: String; var day: String; var period: String; var note: String? }
            var events: [New] = []
            for (line, cells) in grid.rows {
                let emp = try employee(cells[ec], line, grid.sheet)
                guard let (day, _) = CellValue.date(cells[dc]), let period = cal.period(ofDate: day) else {
                    throw fail(grid.error(row: line, column: grid.header[dc], "“\(cells[dc])” 不是有效日期 is not a date (2026-10-05, 2026/10/5, 2026年10月5日)"))
                }
                if let want = o.period, period != want {
                    throw fail(grid.error(row: line, column: grid.header[dc], "日期属于期间 \(period)，不是所导入的 \(want) — the date falls in \(period)"))
                }
                if let meanings = ambiguous[ColumnMap.normalise(cells[tc])] {
                    throw fail(grid.error(row: line, column: grid.header[tc], "“\(cells[tc])” 有歧义 is ambiguous: \(meanings.joined(separator: " / "))；请写完整名称 write the full name"))
                }
                guard let column = columns[ColumnMap.normalise(cells[tc])] else {
                    throw fail(grid.error(row: line, column: grid.header[tc], "“\(cells[tc])” 不是方案 \(engine.scheme.id) 的事件 is not an event of the scheme; 可选 allowed: \(engine.inputs.filter { $0.kind == .count }.map(\.label).joined(separator: ", "))"))
                }
                var n = 1
                if let cc, !cells[cc].isEmpty {
                    guard let v = Int(cells[cc]), (1...100).contains(v) else {
                        throw fail(grid.error(row: line, column: grid.header[cc], "“\(cells[cc])” 须是 1–100 的整数 must be a whole number 1–100"))
                    }
                    n = v
                }
                do { try EvidenceAccess.authorize(column: column, user.viewer, emp, engine) } catch {
                    throw KaoheError.forbidden("\(o.file), 第 \(line) 行: 无权录入 \(emp.number) 的 “\(column)”", en: "\(o.file), row \(line): not allowed to record “\(column)” of \(emp.number)")
                }
                let note = nc.flatMap { cells[$0].isEmpty ? nil : cells[$0] }
                for _ in 0..<n { events.append(New(line: line, emp: emp, column: column, day: day, period: period, note: note)) }
            }
            let periods = Set(events.map(\.period)).sorted()
            // the events go to the version of their month's sheets (issue 14 §5)
            let version = try await ImportService.sheetVersion(newest, periods: periods, on: db)
            let schemeId = try version.requireID()
            // existing events of those periods: (employee, column, day, note) → how many
            var have: [String: Int] = [:]
            for e in try await EventStore.events(scheme: schemeId, periods: periods, on: db) {
                have["\(e.$employee.id)|\(e.column)|\(e.occurredOn)|\(e.note ?? "")", default: 0] += 1
            }
            var toCreate: [New] = []
            for e in events {
                let k = "\(e.emp.id!)|\(e.column)|\(e.day)|\(e.note ?? "")"
                if let n = have[k], n > 0 { have[k] = n - 1; preview.unchanged += 1; continue }
                preview.created += 1
                toCreate.append(e)
                if preview.changes.count < 500 {
                    preview.changes.append(ChangeDTO(row: e.line, employee: e.emp.number, period: e.period, field: e.column, before: nil,
                                                     after: "\(e.day) \(e.note ?? "")", status: "new"))
                }
            }
            preview.periods = periods
            try await ImportService.refuseClosed(toCreate.map { Cell(line: $0.line, employee: $0.emp, period: $0.period, column: $0.column, value: $0.day, note: nil) },
                                                 key: version.key, file: o.file, on: db)
            guard !o.dryRun else { return preview }
            let frozen = preview
            let todo = toCreate
            let id: UUID = try await db.writeTransaction { db in
                let bid = try await ImportService.batch(o, kind: o.kind.rawValue, sheet: grid.sheet, preview: frozen, schemeId: schemeId, periods: periods, user: user, on: db)
                var records: [EventRecord] = [], changes: [ImportChange] = []
                for e in todo {
                    let r = EventRecord(employeeId: try e.emp.requireID(), schemeId: schemeId, period: e.period, column: e.column, occurredOn: e.day,
                                        note: e.note, recordedBy: user.id)
                    r.id = UUID()
                    records.append(r)
                    changes.append(ImportChange(batch: bid, seq: changes.count, entity: "event", target: r.id!, before: nil, after: "\(e.emp.number)/\(e.day)/\(e.column)"))
                }
                try await StoreSQL.createAll(records, on: db)
                try await StoreSQL.createAll(changes, on: db)
                var recounted = Set<String>()
                for e in todo where recounted.insert("\(e.emp.id!)|\(e.period)|\(e.column)").inserted {
                    _ = try await EvidenceStore.recount(employee: e.emp, scheme: version, period: e.period, column: e.column, on: db)
                }
                let touched = Dictionary(periods.map { p in (p, Array(Set(todo.filter { $0.period == p }.compactMap { $0.emp.id }))) }, uniquingKeysWith: { a, _ in a })
                try await ImportService.finish(o, kind: .events, batch: bid, preview: frozen, map: map, rescore: (version, touched), user: user, on: db)
                return bid
            }
            preview.id = id
            preview.committed = true
            return preview
        }
    }

    /// The roster's columns, in the order the mapping offers them; the raw value is the column's
    /// id, kept in saved mappings and in each change (for revert).
    enum RosterField: String, CaseIterable, Sendable {
        case number = "employee_id", name, department, team, position, hireDate = "hire_date", probationEnd = "probation_end", superior, status,
             level, star, jobGrade = "job_grade"

        /// The header names the column is found by.
        var labels: [String] {
            switch self {
            case .number: return EvidenceTable.fixedTargets[0].labels
            case .name: return ["姓名", "员工姓名", "name"]
            case .department: return ["部门", "部門", "所属部门", "department", "dept"]
            case .team: return ["班组", "班組", "组别", "小组", "team"]
            case .position: return ["岗位", "職位", "职位", "岗位名称", "position", "job title"]
            case .hireDate: return ["入职日期", "入職日期", "入职时间", "hire date", "joined"]
            case .probationEnd: return ["试用期结束", "转正日期", "試用期結束", "probation end"]
            case .superior: return ["上级工号", "直接上级工号", "上级", "superior", "manager id"]
            case .status: return ["状态", "在职状态", "status"]
            case .level: return ["级别", "等级", "level"]
            case .star: return ["星级", "star"]
            case .jobGrade: return ["职级", "job grade"]
            }
        }

        var required: Bool { [.number, .name, .department].contains(self) }

        var target: MappingTarget { MappingTarget(id: rawValue, labels: labels, required: required) }

        /// The fields compared with the stored person, in the order the preview lists them (the
        /// superior, named by 工号 in the file, is compared apart and listed last).
        static let compared: [RosterField] = allCases.filter { $0 != .number && $0 != .superior }

        /// The stored value as the roster compares it: ids for department, team and superior.
        func value(of e: Employee) -> String? {
            switch self {
            case .number: return e.number
            case .name: return e.name
            case .department: return e.$department.id.uuidString
            case .team: return e.$team.id?.uuidString
            case .position: return e.position
            case .hireDate: return e.hireDate
            case .probationEnd: return e.probationEnd
            case .superior: return e.superiorId?.uuidString
            case .status: return e.status.rawValue
            case .level: return e.level
            case .star: return e.star.map(String.init)
            case .jobGrade: return e.jobGrade
            }
        }

        func set(_ v: String?, on e: Employee) {
            switch self {
            case .number: e.number = v ?? ""
            case .name: e.name = v ?? ""
            case .department: if let v, let id = UUID(uuidString: v) { e.$department.id = id }
            case .team: e.$team.id = v.flatMap(UUID.init(uuidString:))
            case .position: e.position = v ?? ""
            case .hireDate: e.hireDate = v ?? ""
            case .probationEnd: e.probationEnd = v
            case .superior: e.superiorId = v.flatMap(UUID.init(uuidString:))
            case .status: e.status = v.flatMap(EmployeeStatus.init(rawValue:)) ?? .active
            case .level: e.level = v
            case .star: e.star = v.flatMap { Int($0) }
            case .jobGrade: e.jobGrade = v
            }
        }
    }

    /// The employee roster (HR): new people are added, changed fields of known people are
    /// updated (each change kept for revert and audited), unchanged rows are left alone.
    enum Roster {
        static let targets = RosterField.allCases.map(\.target)

        /// A row as the values it wants: a field absent is not in the file (left as it is), nil
        /// clears it; ids for department and team; the superior by 工号 (resolved when applied).
        struct Row: Sendable { var line: Int; var number: String; var values: [RosterField: String?]; var superior: String? }

        /// One change of a person: before and after as stored (the superior's after is a 工号).
        struct Change: Sendable { var field: RosterField; var before: String?; var after: String? }

        /// A row to write: the person it changes (nil: a new one) and the changes, in field order.
        struct Step: Sendable { var row: Row; var existing: Employee?; var changes: [Change] }

        /// The departments and teams rows are resolved against, and those the file names that do
        /// not exist yet: the preview lists them, the commit creates them (issue 16 §1).
        struct Org {
            var departments: [Department]
            var teams: [Team]
            var newDepartments: [Department] = []
            var newTeams: [Team] = []

            /// The smallest two-digit code no department has (a department the file creates gets it).
            func freeCode() -> String? {
                let used = Set(departments.map(\.code))
                return (1...99).lazy.map { String(format: "%02d", $0) }.first { !used.contains($0) }
            }

            /// What the preview says of the departments and teams to be created (or created).
            func notices(committed: Bool) -> [String] {
                var out: [String] = []
                let verb = committed ? "已新建" : "将新建"
                if !newDepartments.isEmpty {
                    out.append("\(verb)部门：" + newDepartments.map { "\($0.name)（代码 \($0.code)）" }.joined(separator: "、"))
                }
                if !newTeams.isEmpty {
                    let names = Dictionary(departments.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
                    out.append("\(verb)班组：" + newTeams.map { "\(names[$0.$department.id] ?? "") / \($0.name)" }.joined(separator: "、"))
                }
                return out
            }

            static func load(on db: Database) async throws -> Org {
                let departments = try await PeopleStore.everyDepartment(on: db)
                let teams = try await PeopleStore.everyTeam(on: db)
                return Org(departments: departments, teams: teams)
            }

            /// A department by code or name.
            func department(_ text: String) -> Department? { departments.first(where: { $0.code == text || $0.name == text }) }
            /// A team by name, in its department.
            func team(_ name: String, in dept: Department) -> Team? { teams.first(where: { $0.name == name && $0.$department.id == dept.id }) }
            /// Department and team names by id, as the preview shows them.
            var names: [String: String] {
                Dictionary(departments.map { ($0.id!.uuidString, $0.name) } + teams.map { ($0.id!.uuidString, $0.name) }, uniquingKeysWith: { a, _ in a })
            }
        }

        /// One line of the file, as its checks read it.
        struct Cells {
            var grid: Grid
            var columns: [RosterField: Int]
            var line: Int
            var cells: [String]

            func has(_ f: RosterField) -> Bool { columns[f] != nil }
            /// The field's cell; nil if the file has no such column or the cell is empty.
            func cell(_ f: RosterField) -> String? { columns[f].flatMap { cells[$0].isEmpty ? nil : cells[$0] } }
            /// A refusal naming the file, the row and the field's column.
            func bad(_ f: RosterField, _ m: String) -> KaoheError { ImportService.fail(grid.error(row: line, column: grid.header[columns[f]!], m)) }
        }

        static func run(_ o: Options, data: Data, saved: [String: String], user: User, db: Database, preview p: Preview) async throws -> Preview {
            var preview = p
            let (grid, map) = try table(o, data: data, saved: saved, targets: targets, needs: "工号、姓名、部门", preview: &preview)
            var org = try await Org.load(on: db)
            var byNumber: [String: Employee] = [:]
            for e in try await PeopleStore.everyEmployee(on: db) { byNumber[e.number] = e }
            let rows = try read(grid, columns: columns(map), org: &org, known: byNumber)
            let plan = diff(rows, known: byNumber, org: org, preview: &preview)
            let said = preview.notices
            guard !o.dryRun else {
                preview.notices = org.notices(committed: false) + said
                return preview
            }
            let id = try await apply(plan, o, grid: grid, map: map, known: byNumber, org: org, preview: preview, user: user, db: db)
            preview.id = id
            preview.committed = true
            preview.notices = org.notices(committed: true) + said
            return preview
        }

        /// Each mapped field's column in the file.
        static func columns(_ map: ColumnMap) -> [RosterField: Int] {
            Dictionary(map.matches.compactMap { m -> (RosterField, Int)? in RosterField(rawValue: m.target).map { ($0, m.column) } },
                       uniquingKeysWith: { a, _ in a })
        }

        // MARK: read and check the rows

        /// Every row checked (the first problem refused, naming file, row and column) as the values it wants.
        static func read(_ grid: Grid, columns: [RosterField: Int], org: inout Org, known byNumber: [String: Employee]) throws -> [Row] {
            var rows: [Row] = []
            var seen: [String: Int] = [:]
            let numberColumn = columns[.number]!
            let inFile = Set(grid.rows.map { $0.cells[numberColumn] })
            for (line, cells) in grid.rows {
                let l = Cells(grid: grid, columns: columns, line: line, cells: cells)
                let number = cells[numberColumn]
                if number.isEmpty { throw l.bad(.number, "工号为空 the employee number is empty") }
                if let first = seen[number] { throw l.bad(.number, "工号 \(number) 重复（第 \(first) 行已有）duplicate employee number, already on row \(first)") }
                seen[number] = line
                let values = try wanted(l, number: number, org: &org, existing: byNumber[number])
                let superior = try superiorNumber(l, number: number, known: byNumber, inFile: inFile)
                rows.append(Row(line: line, number: number, values: values, superior: superior))
            }
            return rows
        }

        /// The values a row wants (ids for department and team).
        static func wanted(_ l: Cells, number: String, org: inout Org, existing: Employee?) throws -> [RosterField: String?] {
            var v: [RosterField: String?] = [:]
            guard let name = l.cell(.name) else { throw l.bad(.name, "姓名为空 the name is empty") }
            v[.name] = name
            let dept = try department(l, org: &org)
            v[.department] = dept.id!.uuidString
            if l.has(.team) {
                let found = try team(l, in: dept, org: &org)
                v[.team] = .some(found?.id!.uuidString)
            }
            for f in [RosterField.hireDate, .probationEnd] where l.has(f) {
                let day = try date(l, f)
                v[f] = .some(day)
            }
            if existing == nil { try checkNew(l, number: number, values: v) }
            if l.has(.position) { v[.position] = l.cell(.position) ?? existing?.position ?? "客服专员" }
            if l.has(.status), let s = l.cell(.status) { v[.status] = try status(l, s) }
            if l.has(.star) {
                let n = try star(l)
                v[.star] = .some(n)
            }
            for f in [RosterField.level, .jobGrade] where l.has(f) { v[f] = .some(l.cell(f)) }
            return v
        }

        /// The row's department, by code or name. A name no department has is a department to
        /// create (with the smallest free code); a code no department has is refused.
        static func department(_ l: Cells, org: inout Org) throws -> Department {
            let dtext = l.cell(.department) ?? ""
            if let dept = org.department(dtext) { return dept }
            guard !dtext.isEmpty, !dtext.allSatisfy({ $0.isASCII && $0.isNumber }), dtext.count <= 60 else {
                throw l.bad(.department, "没有部门 “\(dtext)” no such department; 有 known: \(org.departments.map { "\($0.code) \($0.name)" }.joined(separator: ", "))")
            }
            guard let code = org.freeCode() else { throw l.bad(.department, "部门代码 01–99 已用完，无法新建部门 “\(dtext)” no department code left") }
            let dept = Department(id: UUID(), name: dtext, code: code)
            org.departments.append(dept)
            org.newDepartments.append(dept)
            return dept
        }

        /// The row's team, by name in its department; nil: the cell is empty (no team). A name the
        /// department has no team of is a team to create.
        static func team(_ l: Cells, in dept: Department, org: inout Org) throws -> Team? {
            guard let t = l.cell(.team) else { return nil }
            if let team = org.team(t, in: dept) { return team }
            guard t.count <= 60 else { throw l.bad(.team, "班组名称最多 60 个字 a team name has at most 60 characters") }
            let team = Team(id: UUID(), name: t, departmentId: dept.id!)
            org.teams.append(team)
            org.newTeams.append(team)
            return team
        }

        /// A date field as YYYY-MM-DD; nil: the cell is empty.
        static func date(_ l: Cells, _ f: RosterField) throws -> String? {
            guard let t = l.cell(f) else { return nil }
            guard let (day, _) = CellValue.date(t) else { throw l.bad(f, "“\(t)” 不是有效日期 is not a date") }
            return day
        }

        /// A new person needs a position (if the file has the column) and a hire date.
        static func checkNew(_ l: Cells, number: String, values v: [RosterField: String?]) throws {
            if l.cell(.position) == nil && l.has(.position) { throw l.bad(.position, "新员工须有岗位 a new employee needs a position") }
            if v[.hireDate] == nil || v[.hireDate]! == nil {
                guard l.has(.hireDate) else {
                    throw ImportService.fail(l.grid.error(row: l.line, column: "入职日期 hire_date", "新员工 \(number) 须有入职日期 a new employee needs a hire date"))
                }
                throw l.bad(.hireDate, "新员工须有入职日期 a new employee needs a hire date")
            }
        }

        /// 在职 / 离职 as stored (active, left).
        static func status(_ l: Cells, _ s: String) throws -> String {
            switch s.lowercased() {
            case "在职", "在職", "active", "试用", "試用": return "active"
            case "离职", "離職", "left", "已离职": return "left"
            default: throw l.bad(.status, "“\(s)” 不是状态 is not a status (在职 / 离职)")
            }
        }

        /// 0–5, written as a number or as ★/星; nil: the cell is empty.
        static func star(_ l: Cells) throws -> String? {
            guard let s = l.cell(.star) else { return nil }
            let stars = s.filter { $0 == "★" || $0 == "星" }.count
            guard let n = Int(s) ?? (stars > 0 ? stars : nil), (0...5).contains(n) else { throw l.bad(.star, "“\(s)” 不是 0–5 的星级 is not a star count 0–5") }
            return String(n)
        }

        /// The superior's 工号: someone known or in the file, not the person themself.
        static func superiorNumber(_ l: Cells, number: String, known byNumber: [String: Employee], inFile: Set<String>) throws -> String? {
            guard let s = l.cell(.superior) else { return nil }
            guard byNumber[s] != nil || inFile.contains(s) else { throw l.bad(.superior, "上级工号 \(s) 不存在 no such employee") }
            guard s != number else { throw l.bad(.superior, "不能是自己的上级 cannot be their own superior") }
            return s
        }

        // MARK: diff against the people there are

        /// The plan: new people and changed fields; the preview counts new, updated and unchanged
        /// people and lists the changes (up to 500, ids shown as names).
        static func diff(_ rows: [Row], known byNumber: [String: Employee], org: Org, preview: inout Preview) -> [Step] {
            var plan: [Step] = []
            var names: [String: String]?
            for r in rows {
                let e = byNumber[r.number]
                let changes = compare(r, with: e, known: byNumber)
                if e == nil { preview.created += 1 } else if changes.isEmpty { preview.unchanged += 1; continue } else { preview.updated += 1 }
                plan.append(Step(row: r, existing: e, changes: changes))
                if preview.changes.count < 500 {
                    if names == nil { names = org.names }
                    let shown = names ?? [:]
                    for c in changes {
                        preview.changes.append(ChangeDTO(row: r.line, employee: r.number, period: nil, field: c.field.rawValue, before: c.before.map { shown[$0] ?? $0 },
                                                         after: c.after.map { shown[$0] ?? $0 }, status: e == nil ? "new" : "updated"))
                    }
                }
            }
            return plan
        }

        /// What a row changes of the person (every field it has for a new one), the superior last.
        static func compare(_ r: Row, with e: Employee?, known byNumber: [String: Employee]) -> [Change] {
            var changes: [Change] = []
            for f in RosterField.compared {
                guard let want = r.values[f] else { continue }
                let have = e.flatMap { f.value(of: $0) }
                if e == nil || have != want { changes.append(Change(field: f, before: have, after: want)) }
            }
            if let s = r.superior {
                let have = e?.superiorId?.uuidString
                let want = byNumber[s]?.id?.uuidString
                if e == nil || want == nil || have != want { changes.append(Change(field: .superior, before: have, after: s)) }
            }
            return changes
        }

        // MARK: apply

        /// Writes the plan in one transaction: the import, people first (superiors may be new),
        /// then superiors, the audit and the source's mapping. Returns the import's id.
        static func apply(_ plan: [Step], _ o: Options, grid: Grid, map: ColumnMap, known: [String: Employee], org: Org, preview: Preview, user: User,
                          db: Database) async throws -> UUID {
            let newDepartments = org.newDepartments, newTeams = org.newTeams
            let id: UUID = try await db.writeTransaction { db in
                let bid = try await ImportService.batch(o, kind: ImportService.Kind.roster.rawValue, sheet: grid.sheet, preview: preview, schemeId: nil, user: user, on: db)
                let first = try await createUnits(newDepartments, newTeams, batch: bid, file: o.file, user: user, on: db)
                let (seq, numbers) = try await savePeople(plan, batch: bid, seq: first, known: known, file: o.file, user: user, on: db)
                try await linkSuperiors(plan, batch: bid, seq: seq, numbers: numbers, on: db)
                try await ImportService.finish(o, kind: .roster, batch: bid, preview: preview, map: map, rescore: nil, user: user, on: db)
                return bid
            }
            return id
        }

        /// The departments and teams the file names that did not exist, created first (people
        /// belong to them), each kept for revert and audited. Returns the next change's number.
        static func createUnits(_ departments: [Department], _ teams: [Team], batch bid: UUID, file: String, user: User, on db: Database) async throws -> Int {
            var seq = 0
            let names = Dictionary(departments.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
            for d in departments {
                let fresh = Department(id: d.id, name: d.name, code: d.code)
                try await fresh.create(on: db)
                try await ImportChange(batch: bid, seq: seq, entity: "department", target: try fresh.requireID(), before: nil, after: fresh.name).save(on: db)
                try await Audit.record(on: db, actor: user, action: "create", entity: "department", id: fresh.name, after: "code=\(fresh.code) name=\(fresh.name)",
                                       reason: "导入花名册 \(file)")
                seq += 1
            }
            for t in teams {
                let fresh = Team(id: t.id, name: t.name, departmentId: t.$department.id)
                try await fresh.create(on: db)
                try await ImportChange(batch: bid, seq: seq, entity: "team", target: try fresh.requireID(), before: nil, after: fresh.name).save(on: db)
                var dept = names[t.$department.id] ?? ""
                if dept.isEmpty { dept = try await PeopleStore.department(t.$department.id, on: db)?.name ?? "" }
                try await Audit.record(on: db, actor: user, action: "create", entity: "team", id: fresh.name, after: "department=\(dept) name=\(fresh.name)",
                                       reason: "导入花名册 \(file)")
                seq += 1
            }
            return seq
        }

        /// New people created and changed fields set (all but the superior), each kept for revert
        /// and audited. Returns the next change's number and everyone by 工号, new people included.
        static func savePeople(_ plan: [Step], batch bid: UUID, seq first: Int = 0, known: [String: Employee], file: String, user: User,
                               on db: Database) async throws -> (seq: Int, numbers: [String: Employee]) {
            var seq = first
            var numbers = known
            for step in plan {
                let r = step.row, existing = step.existing
                let e: Employee
                if let existing { e = existing } else {
                    e = Employee(number: r.number, name: "", position: "客服专员", hireDate: "", departmentId: UUID(), teamId: nil)
                }
                for c in step.changes where c.field != .superior {
                    c.field.set(c.after, on: e)
                    if existing != nil {
                        try await Audit.record(on: db, actor: user, action: "update", entity: "employee", id: r.number, before: "\(c.field.rawValue)=\(c.before ?? "")",
                                               after: "\(c.field.rawValue)=\(c.after ?? "")", reason: "导入花名册 \(file)")
                    }
                }
                try await e.save(on: db)
                numbers[r.number] = e
                if existing == nil {
                    try await ImportChange(batch: bid, seq: seq, entity: "employee", target: try e.requireID(), before: nil, after: r.number).save(on: db)
                    try await Audit.record(on: db, actor: user, action: "create", entity: "employee", id: r.number,
                                           after: "name=\(e.name) position=\(e.position) hire_date=\(e.hireDate)", reason: "导入花名册 \(file)")
                } else {
                    for c in step.changes where c.field != .superior {
                        try await ImportChange(batch: bid, seq: seq, entity: "employee", target: try e.requireID(), field: c.field.rawValue,
                                               before: c.before, after: c.after).save(on: db)
                        seq += 1
                    }
                }
                seq += 1
            }
            return (seq, numbers)
        }

        /// Each changed superior set, by 工号 (a change kept for revert for people who were there).
        static func linkSuperiors(_ plan: [Step], batch bid: UUID, seq first: Int, numbers: [String: Employee], on db: Database) async throws {
            var seq = first
            for step in plan {
                guard let s = step.changes.first(where: { $0.field == .superior }), let e = numbers[step.row.number], let boss = numbers[s.after ?? ""] else { continue }
                let before = e.superiorId?.uuidString
                e.superiorId = boss.id
                try await e.save(on: db)
                if step.existing != nil {
                    try await ImportChange(batch: bid, seq: seq, entity: "employee", target: try e.requireID(), field: RosterField.superior.rawValue,
                                           before: before, after: boss.id?.uuidString).save(on: db)
                    seq += 1
                }
            }
        }
    }

    struct RevertResult: Content {
        var id: UUID
        var kind: String
        var file: String
        var reverted: Int
        var periods: [String]
    }

    /// Undoes a committed import as a whole, in one transaction: values it created are removed,
    /// values it replaced are restored, events and people it added are removed. Refused (409,
    /// nothing changed) when something the import wrote has been changed since — the message
    /// names it — or a person it added already has records.
    static func revert(_ id: UUID, reason: String, user: User, db: Database) async throws -> RevertResult {
        guard let batch = try await ImportStore.batchWithScheme(id, on: db) else {
            throw KaoheError.notFound("没有这次导入", en: "no such import")
        }
        guard batch.status == .committed else { throw KaoheError.conflict("这次导入已撤销", en: "the import was already reverted") }
        guard !reason.isBlank else { throw KaoheError.invalid("reason: 撤销导入须说明原因 (R-004-03)") }
        if batch.kind == "roster" {
            guard user.viewer.role == .hr else { throw KaoheError.forbidden("只有人事可以撤销花名册导入", en: "only HR reverts a roster import") }
        } else {
            guard user.viewer.role == .hr || batch.recordedBy == user.id else { throw KaoheError.forbidden("只能撤销自己的导入", en: "only your own imports (or HR)") }
        }
        let changes = try await ImportStore.changes(batch: id, on: db)
        let periods = batch.periods.split(separator: ",").map(String.init)
        try await db.writeTransaction { db in
            var recount: [(UUID, String, String)] = []
            var touched: [String: Set<UUID>] = [:]
            for c in changes {
                switch c.entity {
                case "evidence":
                    guard let e = try await EvidenceStore.entryWithEmployee(c.targetId, on: db) else {
                        if c.before == nil { continue }
                        throw KaoheError.conflict("导入写入的一项证据已被删除，无法恢复原值", en: "a value this import replaced has since been removed")
                    }
                    touched[e.period, default: []].insert(e.$employee.id)
                    guard e.value == c.after else {
                        throw KaoheError.conflict("\(e.employee.number) \(e.period) “\(e.column)” 在导入后又被改为 \(e.value)（导入写的是 \(c.after ?? "")），不能撤销，未作任何修改", en: "\(e.employee.number) \(e.period) “\(e.column)” was changed to \(e.value) since the import (which wrote \(c.after ?? "")); revert refused, nothing changed")
                    }
                    if let before = c.before {
                        e.value = before; e.recordedBy = user.id; e.recordedAt = Date()
                        try await e.save(on: db)
                    } else {
                        try await e.delete(on: db)
                    }
                case "event":
                    guard let ev = try await EventStore.plainEvent(c.targetId, on: db) else { continue }
                    recount.append((ev.$employee.id, ev.period, ev.column))
                    touched[ev.period, default: []].insert(ev.$employee.id)
                    try await ev.delete(on: db)
                case "employee":
                    guard let e = try await PeopleStore.employee(c.targetId, on: db) else { continue }
                    if let f = c.field {
                        guard RosterField(rawValue: f)?.value(of: e) == c.after else {
                            throw KaoheError.conflict("\(e.number) 的 \(f) 在导入后又被修改，不能撤销，未作任何修改", en: "\(f) of \(e.number) changed since the import; revert refused, nothing changed")
                        }
                        RosterField(rawValue: f)?.set(c.before, on: e)
                        try await e.save(on: db)
                    } else {
                        let eid = try e.requireID()
                        let used = try await PeopleStore.referenceCount(eid, on: db)
                        guard used == 0 else {
                            throw KaoheError.conflict("导入新增的员工 \(e.number) 已有记录或账号，不能撤销，未作任何修改", en: "\(e.number), added by the import, already has records or an account; revert refused, nothing changed")
                        }
                        try await e.delete(on: db)
                    }
                case "team":
                    // created by the import (issue 16 §1): removed with it, unless someone has used it since
                    guard let t = try await PeopleStore.team(c.targetId, on: db) else { continue }
                    guard try await PeopleStore.teamReferenceCount(try t.requireID(), on: db) == 0 else {
                        throw KaoheError.conflict("导入新建的班组 \(t.name) 已有人员或账号，不能撤销，未作任何修改", en: "team \(t.name), created by the import, now has people or accounts; revert refused, nothing changed")
                    }
                    try await t.delete(on: db)
                case "department":
                    guard let d = try await PeopleStore.department(c.targetId, on: db) else { continue }
                    guard try await PeopleStore.departmentReferenceCount(try d.requireID(), on: db) == 0 else {
                        throw KaoheError.conflict("导入新建的部门 \(d.name) 已有人员、班组、账号、方案或考核，不能撤销，未作任何修改", en: "department \(d.name), created by the import, is now in use; revert refused, nothing changed")
                    }
                    try await d.delete(on: db)
                default: continue
                }
            }
            // a revert that would change a published or locked result is refused whole (R-100-02)
            for (p, people) in touched.sorted(by: { $0.key < $1.key }) {
                try await SheetStore.refuseIfClosed(employees: Array(people), periods: [p], key: batch.scheme?.key, what: "revert", on: db)
                if let sid = batch.$scheme.id { try await SheetStore.touch(employees: Array(people), period: p, scheme: sid, by: user, on: db) }
            }
            if let scheme = batch.scheme {
                var done = Set<String>()
                for (emp, period, column) in recount where done.insert("\(emp)|\(period)|\(column)").inserted {
                    if let e = try await PeopleStore.employee(emp, on: db) {
                        _ = try await EvidenceStore.recount(employee: e, scheme: scheme, period: period, column: column, on: db)
                    }
                }
                for p in periods { try await Rescorer.rescore(scheme, period: p, on: db) }
            }
            batch.status = .reverted; batch.revertedAt = Date(); batch.revertedBy = user.id
            try await batch.save(on: db)
            try await Audit.record(on: db, actor: user, action: "revert", entity: "import", id: id.uuidString,
                                   before: "file=\(batch.fileName) changes=\(changes.count)", after: nil, reason: reason)
        }
        return RevertResult(id: id, kind: batch.kind, file: batch.fileName, reverted: changes.count, periods: periods)
    }
}
