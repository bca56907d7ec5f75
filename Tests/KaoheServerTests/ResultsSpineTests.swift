import Fluent
import Foundation
import KaoheCore
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

/// The results spine through HTTP (issue 14, SPEC §4 R-100-01..04): hand-computed histories
/// (Fixtures/outcomes/README.md) are published month by month, and the outcomes the server stores
/// and shows must equal the hand computation and what `kaohe score` computes from the same
/// evidence; unpublished months never count; closed results change only by a correction.
@Suite("Results spine: outcomes, published only, closed stays closed", .serialized)
struct ResultsSpineTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/outcomes")

    struct Expected: Decodable, Hashable {
        var employee_number: String; var period: String; var kind: String; var value: String; var rule: [String]; var amount: String?
    }

    /// One outcome as compared: who, what, the value (money by its amount) and the rule ids.
    struct Key: Hashable, CustomStringConvertible {
        var employee: String; var kind: String; var value: String; var rules: [String]
        var description: String { "\(employee) \(kind)=\(value) \(rules.joined(separator: ","))" }
    }

    static func expected(_ name: String) throws -> Set<Key> {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("\(name).expected.json"))
        return Set(try JSONDecoder().decode([Expected].self, from: data).map { Key(employee: $0.employee_number, kind: $0.kind, value: $0.amount ?? $0.value, rules: $0.rule) })
    }

    /// What `kaohe score --format json` computes for the fixture as of `asOf` (the same Core calls
    /// the CLI makes: read the CSV, score every row, evaluate the outcome policies).
    static func cli(_ preset: String, _ name: String, asOf: String) throws -> Set<Key> {
        let engine = try ScoringEngine(scheme: try Presets.scheme(preset))
        let data = try Data(contentsOf: fixtures.appendingPathComponent("\(name).csv"))
        let rows = try EvidenceCSV.read(data, file: name, engine: engine)
        let policies = try OutcomeEngine(engine: engine)
        var records: [OutcomeRecord] = []
        engine.scoreAll(rows) { r, v in if let rec = policies.record(r, values: v) { records.append(rec) } }
        return Set(policies.evaluate(records, asOf: MonthIndex(asOf)).outcomes.map { o in
            let s = o.value.stored
            return Key(employee: o.employeeId, kind: o.kind, value: s.amount ?? s.text, rules: o.rules)
        })
    }

    /// The fixture's rows: header → value.
    static func rows(_ name: String) throws -> [[String: String]] {
        let text = try String(contentsOf: fixtures.appendingPathComponent("\(name).csv"), encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { l in
            Dictionary(uniqueKeysWithValues: zip(header, l.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }
    }

    struct Company { var dept: UUID; var people: [String: UUID]; var scheme: SchemeVersion }

    /// An empty company with its HR account (the fixtures' 工号 are their own).
    static func withCompany(_ config: AppConfig = testConfig(), _ test: (Application) async throws -> Void) async throws {
        try await withApp(configure: { app in try await configure(app, config) }) { app in
            if case .postgres = config.database { try await app.autoRevert(); try await app.autoMigrate() }
            try await User(username: "hr", displayName: "人事", passwordHash: try app.password.hash(Org.password), role: .hr).save(on: app.db)
            try await test(app)
        }
    }

    /// A department "客服三部" (code 03) with the fixture's teams and people, a manager account
    /// (rates and reviews) and the preset as the scheme.
    static func company(_ app: Application, preset: String, rows: [[String: String]]) async throws -> Company {
        let db = app.db
        let d = Department(name: "客服三部", code: "03")
        try await d.save(on: db)
        var teams: [String: Team] = [:]
        var people: [String: UUID] = [:]
        for r in rows {
            let t = r["team"] ?? "T"
            if teams[t] == nil { let team = Team(name: t, departmentId: try d.requireID()); try await team.save(on: db); teams[t] = team }
            guard let n = r["employee_id"], people[n] == nil else { continue }
            let e = Employee(number: n, name: "员工\(n.suffix(2))", position: "客服专员", hireDate: "2020-01-01", departmentId: try d.requireID(), teamId: try teams[t]!.requireID())
            try await e.save(on: db)
            people[n] = try e.requireID()
        }
        try await User(username: "mgr3", displayName: "三部经理", passwordHash: try app.password.hash(Org.password), role: .manager, departmentId: d.id).save(on: db)
        let v = try await EvidenceTests.preset(app, preset)
        return Company(dept: try d.requireID(), people: people, scheme: v)
    }

    /// October of online-shop-cs opened for 一组 (alice, bob) by HR, who is returned signed in.
    static func teamCycle(_ app: Application, _ org: Org) async throws -> Browser {
        _ = try await EvidenceTests.preset(app, "online-shop-cs")
        CycleFlowTests.today(app, "2026-10-28")
        let (hr, _) = try await Browser.signIn(app, "hr")
        try await CycleFlowTests.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2026-10","department_id":"\#(org.deptA)","team_ids":["\#(org.team1)"]}"#) { res in
            #expect(res.status == .created, "\(res.body.string)")
        }
        return hr
    }

    /// A fixture's rows, its company, and HR signed in.
    static func scenario(_ app: Application, _ preset: String) async throws -> ([[String: String]], Company, Browser) {
        let rows = try Self.rows(preset)
        let c = try await Self.company(app, preset: preset, rows: rows)
        let (hr, _) = try await Browser.signIn(app, "hr")
        return (rows, c, hr)
    }

    /// Records the month's evidence as an import would, opens the month's cycle through HTTP, moves
    /// its sheets to 待发布 (rating and review are the cycle tests' subject) — leaving out `unrated`,
    /// whose sheets are withdrawn — and publishes it through HTTP.
    static func publish(_ app: Application, _ hr: Browser, _ c: Company, period: String, rows: [[String: String]], unrated: Set<String> = []) async throws {
        let month = rows.filter { $0["period"] == period }
        // what an import already recorded stays as it is
        let have = Set(try await EvidenceEntry.query(on: app.db).filter(\.$period == period).all().map { "\($0.$employee.id)|\($0.column)" })
        var entries: [EvidenceEntry] = []
        for r in month {
            for (k, v) in r where !["employee_id", "period", "team"].contains(k) && !v.isEmpty && !have.contains("\(c.people[r["employee_id"]!]!)|\(k)") {
                entries.append(EvidenceEntry(employeeId: c.people[r["employee_id"]!]!, schemeId: try c.scheme.requireID(), period: period, column: k, value: v, recordedBy: nil))
            }
        }
        try await entries.create(on: app.db)
        try await Rescorer.rescore(c.scheme, period: period, on: app.db)
        var cycle: CycleService.CycleDTO?
        try await CycleFlowTests.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"\#(c.scheme.key)","period":"\#(period)","department_id":"\#(c.dept)"}"#) { res in
            #expect(res.status == .created, "\(res.body.string)")
            cycle = try CycleFlowTests.decode(CycleService.CycleDTO.self, res)
        }
        let cid = try #require(cycle).id
        let rated = Set(month.compactMap { $0["employee_id"] }).subtracting(unrated)
        for s in try await Sheet.query(on: app.db).filter(\.$cycle.$id == cid).with(\.$employee).all() {
            if rated.contains(s.employee.number) { s.stage = .ready; try await s.save(on: app.db) } else { try await s.delete(on: app.db) }
        }
        try await CycleFlowTests.json(app, hr, .POST, "api/v1/cycles/\(cid)/publish") { res in #expect(res.status == .ok, "\(res.body.string)") }
    }

    static func outcomes(_ app: Application, _ b: Browser, _ query: String) async throws -> [OutcomeRoutes.OutcomeDTO] {
        var out: [OutcomeRoutes.OutcomeDTO] = []
        try await CycleFlowTests.json(app, b, .GET, "api/v1/outcomes?\(query)") { res in
            #expect(res.status == .ok, "\(res.body.string)")
            out = try CycleFlowTests.decode([OutcomeRoutes.OutcomeDTO].self, res)
        }
        return out
    }

    static func keys(_ list: [OutcomeRoutes.OutcomeDTO]) -> Set<Key> {
        Set(list.compactMap { o in o.employeeNumber.map { Key(employee: $0, kind: o.kind, value: o.amount ?? o.value, rules: o.rule) } })
    }

    static func export(_ app: Application, _ b: Browser, _ form: String, _ period: String) async throws -> String {
        var body = ""
        try await app.testing().test(.GET, "api/v1/exports/\(form)?period=\(period)&format=csv", headers: b.headers) { res in
            #expect(res.status == .ok, "\(res.body.string)")
            body = res.body.string
        }
        return body
    }

    @Test("star-agent: levels and level bonuses from the published months equal the hand computation and kaohe score; the star board and the ledger show them")
    func starAgentLevels() async throws { try await Self.withCompany { app in try await Self.starAgentLevels(app) } }

    static func starAgentLevels(_ app: Application) async throws {
        do {
            let (rows, c, hr) = try await Self.scenario(app, "star-agent")
            for p in ["2025-12", "2026-01", "2026-02", "2026-03"] { try await Self.publish(app, hr, c, period: p, rows: rows) }
            let api = Self.keys(try await Self.outcomes(app, hr, "period=2026-03&scheme=star-agent"))
            let hand = try Self.expected("star-agent")
            #expect(api == hand, "server \(api.subtracting(hand)) hand \(hand.subtracting(api))")
            #expect(api == (try Self.cli("star-agent", "star-agent", asOf: "2026-03")))
            // the manager's forms read the stored outcomes: 201001 星级 with its 100.00 bonus (R-002-26)
            let (mgr, _) = try await Browser.signIn(app, "mgr3")
            let board = try await Self.export(app, mgr, "star-board", "2026-03")
            let line = try #require(board.split(separator: "\r\n").first { $0.hasPrefix("201001,") })
            #expect(line.contains(",星级,") && line.contains(",100.00,"), "\(line)")
            let demoted = try #require(board.split(separator: "\r\n").first { $0.hasPrefix("201003,") })
            #expect(demoted.contains(",普通,"), "\(demoted)")
            let (_, sheets) = try await ExportService.build(.init(form: .ledger, period: "2026-03"), viewer: try #require(try await User.query(on: app.db).filter(\.$username == "mgr3").first()).viewer, on: app.db)
            let detail = sheets[1].rows.map { $0.map(ExportService.text) }
            #expect(detail.contains { $0[0] == "201001" && $0[4] == "等级奖金" && $0[6] == "100.00" }, "\(detail.filter { $0[0] == "201001" })")
            #expect(!detail.contains { $0[0] == "201003" && $0[4] == "等级奖金" })
            // the team awards are stored too, and shown to the line above
            let teams = try await Self.outcomes(app, mgr, "period=2026-03").filter { $0.team != nil }
            #expect(Set(teams.map(\.kind)) == ["advanced_team", "excellent_team"], "\(teams)")
        }
    }

    @Test("online-shop-cs: a tie for last place fines both and asks both for a plan; a tie for first pays both (R-000-12); the ranking form reads it")
    func rankMoneyWithTies() async throws {
        try await Self.withCompany { app in
            let (rows, c, hr) = try await Self.scenario(app, "online-shop-cs")
            for p in Set(rows.compactMap { $0["period"] }).sorted() { try await Self.publish(app, hr, c, period: p, rows: rows) }
            let api = Self.keys(try await Self.outcomes(app, hr, "period=2026-06"))
            #expect(api == (try Self.expected("online-shop-cs")), "\(api)")
            #expect(api == (try Self.cli("online-shop-cs", "online-shop-cs", asOf: "2026-06")))
            let ranking = try await Self.export(app, hr, "ranking", "2026-06")
            for n in ["101003", "101004"] {
                let line = try #require(ranking.split(separator: "\r\n").first { $0.contains(",\(n),") })
                #expect(line.contains("扣 100.00 元") && line.contains("整改"), "the fine and the plan: \(line)")
            }
            let first = try #require(ranking.split(separator: "\r\n").first { $0.contains(",101001,") })
            #expect(first.contains("奖励 100.00 元"), "\(first)")
            let second = try #require(ranking.split(separator: "\r\n").first { $0.contains(",101002,") })
            #expect(!second.contains("100 元") && !second.contains("100.00"), "no money for second place: \(second)")
        }
    }

    @Test("ecommerce-monthly: an unrated month counts nowhere — not in the ranking, not in R-001-14's year-end runs, not on the person's own results")
    func unratedMonth() async throws {
        try await Self.withCompany { app in
            var rows = try Self.rows("ecommerce-monthly")
            // 111003's February is imported (a low month) but never rated: a draft, not a result
            var draft = try #require(rows.first { $0["employee_id"] == "111003" && $0["period"] == "2026-01" })
            draft["period"] = "2026-02"
            rows.append(draft)
            let c = try await Self.company(app, preset: "ecommerce-monthly", rows: rows)
            let (hr, _) = try await Browser.signIn(app, "hr")
            for p in ["2026-01", "2026-02", "2026-03", "2026-04"] { try await Self.publish(app, hr, c, period: p, rows: rows, unrated: p == "2026-02" ? ["111003"] : []) }
            let api = Self.keys(try await Self.outcomes(app, hr, "period=2026-04&scheme=ecommerce-monthly"))
            let hand = try Self.expected("ecommerce-monthly")
            #expect(api == hand, "server \(api.subtracting(hand)) hand \(hand.subtracting(api))")
            #expect(api.contains(Key(employee: "111003", kind: "year_end_ineligible", value: "false", rules: ["R-001-14"])))
            #expect(api.contains(Key(employee: "111001", kind: "year_end_ineligible", value: "true", rules: ["R-001-14"])))
            // the draft exists (the manager sees it as a draft) but February's ranking has two people
            let draftRow = try await StoredResult.query(on: app.db).filter(\.$employee.$id == c.people["111003"]!).filter(\.$period == "2026-02").first()
            #expect(draftRow?.status == .draft)
            let ranking = try await Self.export(app, hr, "ranking", "2026-02")
            #expect(!ranking.contains("111003"), "\(ranking)")
            #expect(ranking.contains("111001") && ranking.contains("111002"))
            let year = try await Self.export(app, hr, "year-end-record", "2026")
            let line = try #require(year.split(separator: "\r\n").first { $0.hasPrefix("111003,") })
            #expect(line.contains(",3,"), "three months counted: \(line)")
        }
    }

    @Test("a published and a locked sheet refuse every write path but a correction; the correction is recorded, re-runs rank and pay, and reaches the next payroll as a difference")
    func closedStaysClosed() async throws { try await Self.withCompany { app in try await Self.closedStaysClosed(app) } }

    static func closedStaysClosed(_ app: Application) async throws {
        do {
            let (rows, c, hr) = try await Self.scenario(app, "online-shop-cs")
            try await Self.publish(app, hr, c, period: "2026-06", rows: rows)
            let who = c.people["101003"]!
            let sheet = try #require(try await Sheet.query(on: app.db).filter(\.$employee.$id == who).first())
            let before = try #require(try await StoredResult.query(on: app.db).filter(\.$employee.$id == who).first())
            // every path that writes the sheet's inputs answers 409 and changes nothing
            try await EvidenceTests.put(app, hr, #"{"employee_id":"\#(who)","period":"2026-06","scheme":"online-shop-cs","values":{"orders":"90"},"reason":"补录"}"#) { res in
                #expect(res.status == .conflict, "\(res.body.string)")
                #expect(res.body.string.contains("R-100-02"))
            }
            try await CycleFlowTests.json(app, hr, .POST, "api/v1/events", #"{"employee_id":"\#(who)","scheme":"online-shop-cs","column":"complaints","occurred_on":"2026-06-10"}"#) { res in
                #expect(res.status == .conflict, "\(res.body.string)")
            }
            try await CycleFlowTests.json(app, hr, .PUT, "api/v1/sheets/\(try sheet.requireID())", #"{"version":\#(sheet.version),"values":{"report_quality.manager":"1"}}"#) { res in
                #expect(res.status == .conflict, "\(res.body.string)")
            }
            var h = hr.headers
            h.contentType = .init(type: "text", subType: "csv")
            try await app.testing().test(.POST, "api/v1/imports/evidence?scheme=online-shop-cs&period=2026-06&file=late.csv", headers: h,
                                         body: ByteBuffer(string: "工号,orders\n101003,90\n")) { res in
                #expect(res.status == .conflict, "\(res.body.string)")
                #expect(res.body.string.contains("第 2 行"), "\(res.body.string)")
            }
            let still = try #require(try await StoredResult.query(on: app.db).filter(\.$employee.$id == who).first())
            #expect(still.total == before.total && still.json == before.json)
            // the reviewer's (here HR's) correction with a reason: recorded, re-scored, outcomes re-run
            let now = try await CycleFlowTests.sheet(app, hr, try sheet.requireID())
            // no reason, no correction
            try await CycleFlowTests.act(app, hr, try sheet.requireID(), "correct", version: now.version, values: ["orders": "100"], expect: .conflict)
            let fixed = try #require(try await CycleFlowTests.act(app, hr, try sheet.requireID(), "correct", version: now.version, reason: "复核发现管理类漏评",
                                                               values: ["orders": "100"]))
            #expect(fixed.stage == "published")
            let corr = try #require(try await Correction.query(on: app.db).filter(\.$sheet.$id == sheet.requireID()).first())
            #expect(corr.reason == "复核发现管理类漏评" && corr.settledIn == "2026-06")
            #expect(corr.changeList.contains { $0.column == "orders" && $0.after == "100" })
            #expect(corr.beforeTotal == before.total && corr.afterTotal != before.total)
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "correct").count()
            #expect(audit == 1)
            // the month's outcomes were re-run: 101003 is no longer tied for last
            let rank = try await Self.outcomes(app, hr, "period=2026-06").first { $0.employeeNumber == "101003" && $0.kind == "rank" }
            #expect(rank != nil && rank?.value != "3/4", "\(String(describing: rank))")
            // the payroll of the month (not locked yet) carries the difference line
            let hrUser = try #require(try await User.query(on: app.db).filter(\.$username == "hr").first())
            let (_, ledger) = try await ExportService.build(.init(form: .ledger, period: "2026-06"), viewer: hrUser.viewer, on: app.db)
            let diffs = ledger[3].rows.map { $0.map(ExportService.text) }
            #expect(diffs.count == 1 && diffs[0][0] == "101003" && diffs[0][5] == "复核发现管理类漏评", "\(diffs)")
            // the sheet shows the correction
            let shown = try await CycleFlowTests.sheet(app, hr, try sheet.requireID())
            #expect(shown.history.contains { $0.action == "correct" && $0.reason == "复核发现管理类漏评" })
            #expect(shown.corrections.count == 1 && shown.corrections[0].changes == [Correction.Change(column: "orders", before: "60", after: "100")], "\(shown.corrections)")
            #expect(shown.total == corr.afterTotal)
            // after the lock only HR corrects; the reviewer is refused
            let cycle = try #require(try await Cycle.query(on: app.db).first())
            cycle.status = .published; cycle.objectionsClose = "2026-01-01"
            try await cycle.save(on: app.db)
            try await CycleFlowTests.json(app, hr, .POST, "api/v1/cycles/\(try cycle.requireID())/lock") { res in #expect(res.status == .ok, "\(res.body.string)") }
            #expect(try await StoredResult.query(on: app.db).filter(\.$status == .locked).count() == 4)
            let (mgr, _) = try await Browser.signIn(app, "mgr3")
            let locked = try await CycleFlowTests.sheet(app, hr, try sheet.requireID())
            try await CycleFlowTests.act(app, mgr, try sheet.requireID(), "correct", version: locked.version, reason: "再改", values: ["orders": "60"], expect: .conflict)
            try await EvidenceTests.put(app, hr, #"{"employee_id":"\#(who)","period":"2026-06","scheme":"online-shop-cs","values":{"orders":"90"},"reason":"补录"}"#) { res in
                #expect(res.status == .conflict && res.body.string.contains("已锁定"), "\(res.body.string)")
            }
            // HR's correction after the lock is paid as a difference in the next month
            _ = try #require(try await CycleFlowTests.act(app, hr, try sheet.requireID(), "correct", version: locked.version, reason: "工资核对", values: ["orders": "60"]))
            let late = try #require(try await Correction.query(on: app.db).filter(\.$reason == "工资核对").first())
            #expect(late.settledIn == "2026-07")
        }
    }

    @Test("a rater's save of a sheet read before an evidence change by another path is a 409 naming who changed it")
    func staleWriteAcrossPaths() async throws {
        try await withKaohe { app, org in
            let hr = try await Self.teamCycle(app, org)
            // alice's sheet at the rater's stage; her rater is the department's manager
            let s = try #require(try await Sheet.query(on: app.db).filter(\.$employee.$id == org.alice).first())
            s.stage = .rating
            try await s.save(on: app.db)
            let mgrUser = try #require(try await User.query(on: app.db).filter(\.$username == "mgr").first())
            #expect(s.raterId == mgrUser.id)
            let read = s.version
            // HR records an evidence value through the evidence API: the sheet's version moves
            try await EvidenceTests.put(app, hr, #"{"employee_id":"\#(org.alice)","period":"2026-10","scheme":"online-shop-cs","values":{"orders":"30"}}"#) { res in
                #expect(res.status == .ok, "\(res.body.string)")
            }
            let after = try #require(try await Sheet.find(s.id, on: app.db))
            #expect(after.version == read + 1)
            // the rater saves the sheet he read before: a conflict naming who changed it, nothing written
            let (mgr, _) = try await Browser.signIn(app, "mgr")
            try await CycleFlowTests.json(app, mgr, .PUT, "api/v1/sheets/\(try s.requireID())", #"{"version":\#(read),"values":{"report_quality.manager":"3"}}"#) { res in
                #expect(res.status == .conflict, "\(res.body.string)")
                #expect(res.body.string.contains("人事"), "\(res.body.string)")
            }
            #expect(try await EvidenceEntry.query(on: app.db).filter(\.$employee.$id == org.alice).filter(\.$column == "report_quality.manager").count() == 0)
        }
    }

    @Test("20 parallel publishes of one cycle give one publication: one step, one audit row and one notice per sheet")
    func parallelPublish() async throws { try await Self.withCompany { app in try await Self.parallelPublish(app) } }

    static func parallelPublish(_ app: Application) async throws {
        do {
            let (rows, c, hr) = try await Self.scenario(app, "online-shop-cs")
            let month = rows.filter { $0["period"] == "2026-06" }
            var entries: [EvidenceEntry] = []
            for r in month { for (k, v) in r where !["employee_id", "period", "team"].contains(k) { entries.append(EvidenceEntry(employeeId: c.people[r["employee_id"]!]!, schemeId: try c.scheme.requireID(), period: "2026-06", column: k, value: v, recordedBy: nil)) } }
            try await entries.create(on: app.db)
            var cycle: CycleService.CycleDTO?
            try await CycleFlowTests.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2026-06","department_id":"\#(c.dept)"}"#) { res in
                cycle = try CycleFlowTests.decode(CycleService.CycleDTO.self, res)
            }
            let cid = try #require(cycle).id
            for s in try await Sheet.query(on: app.db).filter(\.$cycle.$id == cid).all() { s.stage = .ready; try await s.save(on: app.db) }
            let user = try #require(try await User.query(on: app.db).filter(\.$username == "hr").first())
            let config = app.config
            let db = app.db
            let results = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        guard let cy = try? await Cycle.find(cid, on: db) else { return false }
                        return (try? await CycleService.publish(cy, user: user, config: config, db: db)) != nil
                    }
                }
                var ok: [Bool] = []
                for await r in group { ok.append(r) }
                return ok
            }
            #expect(results.filter { $0 }.count == 1, "\(results)")
            let steps = try await SheetStep.query(on: app.db).filter(\.$action == "publish").count()
            #expect(steps == 4)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "publish").count() == 1)
        }
    }

    @Test("an employee's own results in the API show published months only; the line above sees the draft marked as one")
    func ownResultsPublishedOnly() async throws {
        try await withKaohe { app, org in
            let v = try await EvidenceTests.preset(app, "online-shop-cs")
            try await EvidenceEntry(employeeId: org.alice, schemeId: try v.requireID(), period: "2026-11", column: "orders", value: "40", recordedBy: nil).save(on: app.db)
            try await Rescorer.rescore(v, period: "2026-11", on: app.db)
            let (alice, _) = try await Browser.signIn(app, "alice")
            try await CycleFlowTests.json(app, alice, .GET, "api/v1/employees/\(org.alice)/results") { res in
                #expect(res.status == .ok)
                #expect(!res.body.string.contains("2026-11"), "\(res.body.string)")
                #expect(res.body.string.contains("2026-10"))
            }
            let (mgr, _) = try await Browser.signIn(app, "mgr")
            try await CycleFlowTests.json(app, mgr, .GET, "api/v1/employees/\(org.alice)/results") { res in
                #expect(res.body.string.contains("\"status\":\"draft\""), "\(res.body.string)")
            }
        }
    }

    @Test("collection-stars: the month's stars, star money and withheld pay reach the payroll as the hand computation says (R-003-30)")
    func collectionStarsLedger() async throws {
        try await Self.withCompany { app in
            let (rows, c, hr) = try await Self.scenario(app, "collection-stars")
            struct Sheet: Decodable { var employee_number: String; var period: String; var grade: String; var star_reward: String; var pay_base: String; var pay_paid: String }
            let expected = try JSONDecoder().decode([Sheet].self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("collection-stars.expected-sheets.json")))
            let hrUser = try #require(try await User.query(on: app.db).filter(\.$username == "hr").first())
            for p in ["2026-04", "2026-05", "2026-06"] {
                try await Self.publish(app, hr, c, period: p, rows: rows)
                let (_, ledger) = try await ExportService.build(.init(form: .ledger, period: p), viewer: hrUser.viewer, on: app.db)
                let summary = ledger[0].rows.map { $0.map(ExportService.text) }
                for e in expected where e.period == p {
                    let line = try #require(summary.first { $0[0] == e.employee_number }, "\(e.employee_number) \(p)")
                    // base, paid, rewards (the star money), total = paid + rewards
                    #expect(line[4] == e.pay_base && line[5] == e.pay_paid && line[7] == e.star_reward, "\(e.employee_number) \(p): \(line)")
                    let total = (Decimal(string: e.pay_paid)! + Decimal(string: e.star_reward)!).yuan
                    #expect(line[9] == total, "\(e.employee_number) \(p): \(line)")
                }
                let stored = try await StoredResult.query(on: app.db).filter(\.$period == p).filter(\.$status == .published).count()
                #expect(stored == 4)
            }
        }
    }

    @Test("parallel evidence writes of one value: none fails, and the audit's before values form one chain")
    func parallelEvidenceWrites() async throws { try await withKaohe { app, org in try await Self.parallelEvidenceWrites(app, org) } }

    static func parallelEvidenceWrites(_ app: Application, _ org: Org) async throws {
        _ = try await EvidenceTests.preset(app, "online-shop-cs")
        let (mgr, _) = try await Browser.signIn(app, "mgr")
        let statuses = await withTaskGroup(of: HTTPStatus.self) { group in
            for k in 1...10 {
                group.addTask {
                    var status = HTTPStatus.internalServerError
                    var h = mgr.headers
                    h.contentType = .json
                    let body = #"{"employee_id":"\#(org.alice)","period":"2026-10","scheme":"online-shop-cs","values":{"orders":"\#(k)"},"reason":"并发 \#(k)"}"#
                    try? await app.testing().test(.PUT, "api/v1/evidence", headers: h, body: ByteBuffer(string: body)) { res in status = res.status }
                    return status
                }
            }
            var out: [HTTPStatus] = []
            for await s in group { out.append(s) }
            return out
        }
        #expect(statuses.allSatisfy { $0 == .ok }, "\(statuses)")
        let audit = try await AuditEntry.query(on: app.db).filter(\.$entity == "evidence").filter(\.$entityId == "101001/2026-10/orders").all()
        #expect(audit.count == 10)
        let befores = audit.compactMap(\.before), afters = audit.compactMap(\.after)
        #expect(audit.filter { $0.before == nil }.count == 1, "one creation")
        #expect(Set(befores).count == befores.count && Set(befores).isSubset(of: Set(afters)), "each value replaced once: \(befores) of \(afters)")
        let stored = try #require(try await EvidenceEntry.query(on: app.db).filter(\.$employee.$id == org.alice).filter(\.$column == "orders").first())
        #expect(Set(afters).subtracting(befores) == [stored.value], "the last write is the stored value")
    }

    @Test("an import and its revert on a submitted sheet move its final result with it, said in its history; the rater's total stays")
    func submittedSheetFollowsItsInputs() async throws {
        try await withKaohe { app, org in
            let hr = try await Self.teamCycle(app, org)
            let s = try #require(try await Sheet.query(on: app.db).filter(\.$employee.$id == org.alice).with(\.$cycle) { $0.with(\.$scheme) }.first())
            // alice's month as the fixture's 101001 had it
            let month = try #require(try Self.rows("online-shop-cs").first { $0["employee_id"] == "101001" && $0["period"] == "2026-06" })
            for (k, v) in month where !["employee_id", "period", "team"].contains(k) {
                try await EvidenceEntry(employeeId: org.alice, schemeId: try s.cycle.scheme.requireID(), period: "2026-10", column: k, value: v, recordedBy: nil).save(on: app.db)
            }
            try await Rescorer.rescore(s.cycle.scheme, period: "2026-10", on: app.db)
            let submitted = try #require(try await StoredResult.query(on: app.db).filter(\.$employee.$id == org.alice).filter(\.$period == "2026-10").filter(\.$scheme.$id == s.cycle.$scheme.id).first()).total
            s.stage = .review; s.raterTotal = submitted; s.finalTotal = submitted
            try await s.save(on: app.db)
            var h = hr.headers
            h.contentType = .init(type: "text", subType: "csv")
            var batch: UUID?
            try await app.testing().test(.POST, "api/v1/imports/evidence?scheme=online-shop-cs&period=2026-10&file=late.csv&dry_run=false", headers: h,
                                         body: ByteBuffer(string: "工号,orders\n101001,20\n")) { res in
                #expect(res.status == .ok, "\(res.body.string)")
                batch = try CycleFlowTests.decode(ImportService.Preview.self, res).id
            }
            let now = try #require(try await StoredResult.query(on: app.db).filter(\.$employee.$id == org.alice).filter(\.$period == "2026-10").filter(\.$scheme.$id == s.cycle.$scheme.id).first()).total
            #expect(now != submitted)
            var shown = try await CycleFlowTests.sheet(app, hr, try s.requireID())
            #expect(shown.total == now && shown.finalTotal == now && shown.raterTotal == submitted, "\(shown.total ?? "") \(shown.finalTotal ?? "") \(shown.raterTotal ?? "")")
            #expect(shown.history.contains { $0.action == "recompute" && $0.before == submitted && $0.after == now })
            try await CycleFlowTests.json(app, hr, .POST, "api/v1/import-batches/\(try #require(batch))/revert", #"{"reason":"文件有误"}"#) { res in
                #expect(res.status == .ok, "\(res.body.string)")
            }
            shown = try await CycleFlowTests.sheet(app, hr, try s.requireID())
            #expect(shown.total == submitted && shown.finalTotal == submitted, "\(shown.total ?? "") \(shown.finalTotal ?? "")")
        }
    }

    @Test("an import committed before publication cannot be reverted after it: refused whole, nothing changes (R-100-02)")
    func revertAndQAAfterPublication() async throws {
        try await Self.withCompany { app in
            let (rows, c, hr) = try await Self.scenario(app, "online-shop-cs")
            var h = hr.headers
            h.contentType = .init(type: "text", subType: "csv")
            var batch: UUID?
            try await app.testing().test(.POST, "api/v1/imports/evidence?scheme=online-shop-cs&period=2026-05&file=may.csv&dry_run=false", headers: h,
                                         body: ByteBuffer(string: "工号,complaints\n101001,1\n")) { res in
                #expect(res.status == .ok, "\(res.body.string)")
                batch = try CycleFlowTests.decode(ImportService.Preview.self, res).id
            }
            try await Self.publish(app, hr, c, period: "2026-05", rows: rows)
            let before = try await StoredResult.query(on: app.db).filter(\.$period == "2026-05").all().map(\.json).sorted()
            try await CycleFlowTests.json(app, hr, .POST, "api/v1/import-batches/\(try #require(batch))/revert", #"{"reason":"文件有误"}"#) { res in
                #expect(res.status == .conflict && res.body.string.contains("R-100-02"), "\(res.body.string)")
            }
            #expect(try await ImportRecord.find(batch, on: app.db)?.status == .committed)
            #expect(try await StoredResult.query(on: app.db).filter(\.$period == "2026-05").all().map(\.json).sorted() == before)
        }
    }

    @Test("results stored in the earlier (kaohe score JSON) form are re-scored at start-up into the typed form, with the same totals and their outcomes")
    func legacyResultsUpgraded() async throws {
        try await Self.withCompany { app in
            let (rows, c, hr) = try await Self.scenario(app, "online-shop-cs")
            try await Self.publish(app, hr, c, period: "2026-06", rows: rows)
            let typed = try await StoredResult.query(on: app.db).all()
            // as an earlier version stored them
            for r in typed {
                let sheet = try ResultStore.sheet(r)
                var sink = ByteSink()
                ResultWriter.json(sheet, into: &sink, first: true)
                r.json = String(decoding: sink.bytes, as: UTF8.self)
                try await r.save(on: app.db)
            }
            try await StoredOutcome.query(on: app.db).delete()
            #expect(throws: (any Error).self) { try ResultStore.sheet(typed[0]) }
            try await Rescorer.upgradeStored(on: app.db)
            let again = try await StoredResult.query(on: app.db).all()
            #expect(again.count == typed.count)
            for r in again {
                let was = try #require(typed.first { $0.id == r.id })
                let total = try ResultStore.sheet(r).total.format()
                #expect(r.json.hasPrefix("{\"complete\"") && total == was.total && r.status == .published)
            }
            #expect(try await StoredOutcome.query(on: app.db).filter(\.$period == "2026-06").count() > 0)
            // nothing left to upgrade: a second start does nothing
            try await Rescorer.upgradeStored(on: app.db)
        }
    }
}
