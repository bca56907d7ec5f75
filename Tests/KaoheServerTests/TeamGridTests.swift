import Fluent
import Foundation
import KaoheCore
import Testing
import Vapor
import VaporTesting
@testable import KaoheDemo
@testable import KaoheServer

/// The team rating grid and the sheet's form (issue 17 §1), on the demo company: HR opens the
/// November cycle for 售前一组 (12 people: lead11 rates the 11 agents, the manager rates lead11);
/// 101005's month has 221 orders of 400 inquiries — 咨询转化率 55.25 %, in the gap between the
/// 30–50 % and the 60 %+ bands (R-001-03) — and 销售额 100,000 against 101006's 300,000.
@Suite("Team rating grid (issue 17 §1)", .serialized)
struct TeamGridTests {
    struct Scene { var cycle: UUID; var team: UUID; var sheets: [String: UUID] }

    static let marks = ["communication", "knowledge", "attitude", "efficiency", "initiative"]

    static func withTeam(_ body: (Application, Scene) async throws -> Void) async throws {
        try await withDemoCompany({ $0.today = "2026-11-28" }) { app in
            let hr = try #require(try await User.query(on: app.db).filter(\.$username == "hr").first())
            let team = try #require(try await Team.query(on: app.db).filter(\.$name == "售前一组").first())
            let c = try await CycleService.open(.init(scheme: "ecommerce-monthly", period: "2026-11", departmentId: nil, teamIds: [try team.requireID()]),
                                                user: hr, config: app.config, db: app.db)
            let version = try #require(try await SchemeVersion.query(on: app.db).filter(\.$key == "ecommerce-monthly").first())
            let e5 = try #require(try await Employee.query(on: app.db).filter(\.$number == "101005").first())
            let e6 = try #require(try await Employee.query(on: app.db).filter(\.$number == "101006").first())
            for (e, values) in [(e5, [("inquiries", "400"), ("orders", "221"), ("sales_amount", "100000")]), (e6, [("sales_amount", "300000")])] {
                for (column, value) in values {
                    try await EvidenceEntry(employeeId: try e.requireID(), schemeId: try version.requireID(), period: "2026-11", column: column,
                                            value: value, recordedBy: hr.id).save(on: app.db)
                }
            }
            _ = try await Rescorer.rescore(version, period: "2026-11", for: [try e5.requireID()], on: app.db)
            var sheets: [String: UUID] = [:]
            for s in try await Sheet.query(on: app.db).filter(\.$cycle.$id == c.id).with(\.$employee).all() { sheets[s.employee.number] = try s.requireID() }
            #expect(sheets.count == 12)
            try await body(app, Scene(cycle: c.id, team: try team.requireID(), sheets: sheets))
        }
    }

    static func get(_ app: Application, _ b: Browser, _ path: String) async throws -> (HTTPStatus, String) {
        var out: (HTTPStatus, String) = (.internalServerError, "")
        try await app.testing().test(.GET, path, headers: b.headers) { res in out = (res.status, res.body.string) }
        return out
    }

    static func post(_ app: Application, _ b: Browser, _ path: String, _ fields: [(String, String)]) async throws -> (HTTPStatus, String) {
        var h = b.headers
        h.contentType = .urlEncodedForm
        let body = ([("_csrf", b.csrf)] + fields).map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        var out: (HTTPStatus, String) = (.internalServerError, "")
        try await app.testing().test(.POST, path, headers: h, body: ByteBuffer(string: body)) { res in out = (res.status, res.body.string) }
        return out
    }

    static func json(_ app: Application, _ b: Browser, _ method: HTTPMethod, _ path: String, _ body: String) async throws -> (HTTPStatus, String) {
        var h = b.headers
        h.contentType = .json
        var out: (HTTPStatus, String) = (.internalServerError, "")
        try await app.testing().test(method, path, headers: h, body: ByteBuffer(string: body)) { res in out = (res.status, res.body.string) }
        return out
    }

    /// One row of the grid's HTML.
    static func row(_ html: String, _ sheet: UUID) -> String {
        guard let start = html.range(of: "<tr id=\"row-\(sheet.uuidString)\"") else { return "" }
        let rest = html[start.lowerBound...]
        guard let end = rest.range(of: "</tr>") else { return String(rest) }
        return String(rest[..<end.upperBound])
    }

    /// The version a grid row was read at.
    static func version(_ html: String, _ sheet: UUID) -> String {
        guard let r = html.range(of: "name=\"r.\(sheet.uuidString).version\" value=\"") else { return "" }
        return String(html[r.upperBound...].prefix { $0 != "\"" })
    }

    static func total(_ row: String) -> Double? {
        row.firstMatch(of: /data-total="1">([^<]*)</).flatMap { Double(String($0.output.1)) }
    }

    static func evidence(_ app: Application, _ number: String, _ column: String) async throws -> EvidenceEntry? {
        let e = try #require(try await Employee.query(on: app.db).filter(\.$number == number).first())
        return try await EvidenceEntry.query(on: app.db).filter(\.$employee.$id == e.requireID()).filter(\.$period == "2026-11").filter(\.$column == column).first()
    }

    static func sheet(_ app: Application, _ id: UUID?) async throws -> Sheet { try #require(try await Sheet.find(id, on: app.db)) }

    /// The fields of one grid row as a form posts them.
    static func fields(_ sheet: UUID, version: String, _ values: [(String, String)], reason: String? = nil) -> [(String, String)] {
        let p = "r.\(sheet.uuidString)."
        return [(p + "version", version)] + values.map { (p + "v." + $0.0, $0.1) } + (reason.map { [(p + "reason", $0)] } ?? [])
    }

    @Test("lead11 finds the grid on /sheets; it lists the 11 sheets he rates with the six hand-rated fields as columns, a decision only on the flagged row, each row's total from the team's scoring")
    func listsTheTeam() async throws {
        try await Self.withTeam { app, t in
            let (lead, _) = try await Browser.signIn(app, "lead11", password: Demo.password)
            let grid = SiteURL.teamGrid(t.cycle, t.team).path
            let (listed, sheets) = try await Self.get(app, lead, "/sheets")
            #expect(listed == .ok && sheets.contains("href=\"\(grid)\"") && sheets.contains("尚待评分 11 张表，共 11 张表"), "\(sheets.prefix(3000))")
            let (status, html) = try await Self.get(app, lead, grid)
            #expect(status == .ok)
            // the 11 agents; not lead11's own sheet, which the manager rates
            #expect(html.matches(of: /<tr id="row-/).count == 11)
            #expect(!html.contains("row-\(t.sheets["101001"]!.uuidString)"))
            #expect(html.contains("共 11 张表，尚待评分 11 张表"))
            // the columns: what `editable`/`fields` give the rater of a sheet at the rating stage, decisions apart, in the scheme's order
            let headers = html.matches(of: /<th id="h-([a-z_.]+)"/).map { String($0.output.1) }
            #expect(headers == Self.marks + ["evaluation"], "\(headers)")
            for label in ["协调与沟通", "商品专业知识", "工作态度", "工作效率", "工作主动性", "部门主管整体评价"] { #expect(html.contains(">\(label)<"), "\(label)") }
            let s2 = try #require(t.sheets["101002"])
            #expect(html.contains("name=\"r.\(s2.uuidString).v.communication\"") && !Self.version(html, s2).isEmpty)
            #expect(Self.row(html, s2).contains("<option value=\"标准\">标准</option>"))
            // a decision where a flag waits for one, and nowhere else: 101005's 咨询转化率 in the band gap
            let decisions = html.matches(of: /name="r\.[0-9A-F-]+\.v\.([a-z_]+)\.override"/).map { String($0.output.1) }
            #expect(decisions == ["conversion"], "\(decisions)")
            let s5 = try #require(t.sheets["101005"])
            let row5 = Self.row(html, s5)
            #expect(row5.contains("name=\"r.\(s5.uuidString).v.conversion.override\"") && row5.contains("name=\"r.\(s5.uuidString).reason\""))
            #expect(row5.contains("55.25%") && row5.contains("不在任何档位内"), "\(row5)")
            // a mark not yet given is its empty cell, not a line of text as well
            #expect(!Self.row(html, s2).contains("尚未评分"))
            // 销售额 is scored among the team, in the grid's total and in the live preview alike:
            // 10 × 100,000 ÷ the team's average (100,000 + 300,000) ÷ 2 = 5 of 10 (scored alone, the preview gave 10)
            let (previewed, preview) = try await Self.json(app, lead, .POST, "api/v1/sheets/\(s5)/preview", #"{"values":{}}"#)
            #expect(previewed == .ok)
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let dto = try decoder.decode(CycleService.PreviewDTO.self, from: Data(preview.utf8))
            #expect(dto.items.first { $0.id == "sales" }?.points.flatMap(Double.init) == 5, "\(preview.prefix(600))")
            #expect(Self.total(row5) == Double(dto.total), "the grid's total is the preview's: \(row5)")
            // the preview's flags read as sentences, without the engine's codes
            #expect(!dto.flags.contains { $0.hasPrefix("band_gap:") || $0.hasPrefix("missing_mark:") }, "\(dto.flags)")
        }
    }

    @Test("a lead of another team, an agent and HR get 403; an unknown cycle or team, or a team without sheets in the cycle, 404; a refused post changes nothing")
    func othersRefused() async throws {
        try await Self.withTeam { app, t in
            let grid = SiteURL.teamGrid(t.cycle, t.team).path
            let s2 = try #require(t.sheets["101002"])
            for user in ["lead12", "agent1", "hr"] {
                let (b, _) = try await Browser.signIn(app, user, password: Demo.password)
                let (status, _) = try await Self.get(app, b, grid)
                #expect(status == .forbidden, "\(user)")
                let (posted, _) = try await Self.post(app, b, grid, [("action", "submit_complete")] + Self.fields(s2, version: "1", [("communication", "1")]))
                #expect(posted == .forbidden, "\(user)")
            }
            #expect(try await Self.evidence(app, "101002", "communication") == nil)
            #expect(try await Self.sheet(app, s2).stage == .rating)
            let (lead, _) = try await Browser.signIn(app, "lead11", password: Demo.password)
            let afterSales = try #require(try await Team.query(on: app.db).filter(\.$name == "售后组").first())
            for path in [SiteURL.teamGrid(t.cycle, UUID()).path, SiteURL.teamGrid(UUID(), t.team).path, SiteURL.teamGrid(t.cycle, try afterSales.requireID()).path] {
                let (status, _) = try await Self.get(app, lead, path)
                #expect(status == .notFound, "\(path)")
            }
            // a post naming an action the grid does not have
            let (bad, body) = try await Self.post(app, lead, grid, [("action", "approve")])
            #expect(bad == .badRequest && body.contains("submit_complete"))
        }
    }

    @Test("a row saved with a version read before another change is refused with who changed it; nothing is overwritten, and what was typed is shown beside the row")
    func staleRow() async throws {
        try await Self.withTeam { app, t in
            let (lead, _) = try await Browser.signIn(app, "lead11", password: Demo.password)
            let grid = SiteURL.teamGrid(t.cycle, t.team).path
            let s2 = try #require(t.sheets["101002"]), s3 = try #require(t.sheets["101003"])
            let (_, html) = try await Self.get(app, lead, grid)
            let read = Self.version(html, s2)
            let v0 = try #require(Int(read))
            // without the script, one row's 保存 posts the form and saves that row only
            let (saved, page) = try await Self.post(app, lead, grid, [("action", "save:\(s2.uuidString)")]
                + Self.fields(s2, version: read, [("communication", "4")])
                + Self.fields(s3, version: Self.version(html, s3), [("communication", "2")]))
            #expect(saved == .ok && Self.row(page, s2).contains("已保存"), "\(page.suffix(2000))")
            #expect(try await Self.evidence(app, "101002", "communication")?.value == "4")
            #expect(try await Self.evidence(app, "101003", "communication") == nil, "only the row whose 保存 was pressed")
            #expect(try await Self.sheet(app, s2).version == v0 + 1)
            // the same form again, at the version it was read: refused, naming who changed the sheet
            let (stale, refused) = try await Self.post(app, lead, grid, [("action", "save:\(s2.uuidString)")] + Self.fields(s2, version: read, [("communication", "2")]))
            #expect(stale == .conflict, "\(refused.suffix(2000))")
            let row = Self.row(refused, s2)
            #expect(row.contains("这张表已被") && row.contains("组长") && row.contains("你填写的未保存：协调与沟通 2"), "\(row)")
            // the row shows the sheet as it now is, at its current version
            #expect(Self.version(refused, s2) == String(v0 + 1) && row.contains("value=\"4\""))
            #expect(try await Self.evidence(app, "101002", "communication")?.value == "4")
            #expect(try await Self.sheet(app, s2).version == v0 + 1)
            // the script saves a row through the sheet's API: the same refusal
            let (api, message) = try await Self.json(app, lead, .PUT, "api/v1/sheets/\(s2)", #"{"version":\#(v0),"values":{"communication":"1"}}"#)
            #expect(api == .conflict && message.contains("这张表已被"), "\(message)")
            #expect(try await Self.evidence(app, "101002", "communication")?.value == "4")
        }
    }

    @Test("提交全部已填完的行 submits every complete row in one request and reports the others: the empty field named, the open flag, the decision's missing reason")
    func submitComplete() async throws {
        try await Self.withTeam { app, t in
            let (lead, _) = try await Browser.signIn(app, "lead11", password: Demo.password)
            let grid = SiteURL.teamGrid(t.cycle, t.team).path
            let s2 = try #require(t.sheets["101002"]), s3 = try #require(t.sheets["101003"]), s5 = try #require(t.sheets["101005"])
            let (_, html) = try await Self.get(app, lead, grid)
            let before = try #require(Self.total(Self.row(html, s2)))
            let all = Self.marks.map { ($0, "4") } + [("evaluation", "标准")]
            let noAttitude = all.map { $0.0 == "attitude" ? ($0.0, "") : $0 }
            let (status, page) = try await Self.post(app, lead, grid, [("action", "submit_complete")]
                + Self.fields(s2, version: Self.version(html, s2), all)
                + Self.fields(s3, version: Self.version(html, s3), noAttitude)
                + Self.fields(s5, version: Self.version(html, s5), all + [("conversion.override", "")], reason: ""))
            #expect(status == .ok)
            #expect(page.contains("已提交 1 张表") && page.contains("未提交 2 张表"), "\(page.prefix(4000))")
            #expect(Self.row(page, s3).contains("已保存，未提交，尚未填写：工作态度"), "\(Self.row(page, s3))")
            #expect(Self.row(page, s5).contains("提交前须处理") && Self.row(page, s5).contains("不在任何档位内"), "\(Self.row(page, s5))")
            // 101002 went on to review with the marks: five marks of 4 and 标准 (4) add 24 to what the sheet had
            let rated = try await Self.sheet(app, s2)
            #expect(rated.stage == .review)
            #expect(rated.raterTotal.flatMap(Double.init) == before + 24, "\(before) → \(rated.raterTotal ?? "—")")
            #expect(Self.row(page, s2).contains("已提交评分") && !Self.row(page, s2).contains("name=\"r."), "a submitted row is no longer editable")
            // the incomplete row kept what was filled; the flagged one too
            #expect(try await Self.sheet(app, s3).stage == .rating)
            #expect(try await Self.evidence(app, "101003", "communication")?.value == "4")
            #expect(try await Self.evidence(app, "101003", "attitude") == nil)
            #expect(try await Self.sheet(app, s5).stage == .rating)
            #expect(try await Self.evidence(app, "101005", "evaluation")?.value == "标准")
            // the decision without its reason: refused, the refusal beside the reason box
            let (_, again) = try await Self.get(app, lead, grid)
            let (_, noReason) = try await Self.post(app, lead, grid, [("action", "submit_complete")]
                + Self.fields(s5, version: Self.version(again, s5), all + [("conversion.override", "3")], reason: ""))
            let row5 = Self.row(noReason, s5)
            #expect(row5.contains("id=\"err-\(s5.uuidString)-reason\"") && row5.contains("须说明原因"), "\(row5)")
            #expect(row5.contains("value=\"3\""), "the decision typed is kept")
            #expect(try await Self.evidence(app, "101005", "conversion.override") == nil)
            // with its reason: saved and submitted
            let (_, third) = try await Self.get(app, lead, grid)
            let (_, done) = try await Self.post(app, lead, grid, [("action", "submit_complete")]
                + Self.fields(s5, version: Self.version(third, s5), all + [("conversion.override", "3")], reason: "系统漏记咨询，按 30–50% 档扣 2 分"))
            #expect(Self.row(done, s5).contains("已提交评分"), "\(Self.row(done, s5))")
            #expect(try await Self.sheet(app, s5).stage == .review)
            let decided = try #require(try await Self.evidence(app, "101005", "conversion.override"))
            #expect(decided.value == "3" && decided.note?.contains("系统漏记") == true)
        }
    }

    @Test("a refused submission on the sheet page keeps every typed mark, the grade and the decision, with the refusal beside the decision's reason box; nothing is written")
    func refusedSheetKeepsValues() async throws {
        try await Self.withTeam { app, t in
            let (lead, _) = try await Browser.signIn(app, "lead11", password: Demo.password)
            let s5 = try #require(t.sheets["101005"])
            let (_, html) = try await Self.get(app, lead, "/sheets/\(s5)")
            let version = try #require(html.firstMatch(of: /name="version" value="(\d+)"/).map { String($0.output.1) })
            let typed = Self.marks.map { ("v." + $0, "4") } + [("v.evaluation", "标准"), ("v.conversion.override", "3")]
            let (status, page) = try await Self.post(app, lead, "/sheets/\(s5)", [("version", version), ("action", "submit_rating"),
                                                                                  ("why.conversion.override", ""), ("reason", "")] + typed)
            #expect(status == .unprocessableEntity, "\(page.prefix(2000))")
            for m in Self.marks {
                let tag = try #require(page.firstMatch(of: try Regex("<input name=\"v\\.\(m)\"[^>]*>")).map { String(page[$0.range]) }, "\(m)")
                #expect(tag.contains("value=\"4\""), "\(tag)")
            }
            #expect(page.contains("<option value=\"标准\" selected=\"selected\">标准</option>"))
            let decision = try #require(page.firstMatch(of: /<input name="v\.conversion\.override"[^>]*>/).map { String(page[$0.range]) })
            #expect(decision.contains("value=\"3\""))
            // the reason box beside the decision, the refusal beside it
            let err = try #require(page.firstMatch(of: /<span class="error" role="alert" id="err-why\.conversion\.override">([^<]*)</).map { String($0.output.1) })
            #expect(err.contains("须说明原因"), "\(err)")
            #expect(page.contains("role=\"alert\""))
            // nothing was written
            #expect(try await Self.evidence(app, "101005", "communication") == nil)
            #expect(try await Self.sheet(app, s5).stage == .rating)
            // with the reason typed beside the decision, the same form goes through
            let (sent, _) = try await Self.post(app, lead, "/sheets/\(s5)", [("version", version), ("action", "submit_rating"),
                                                                             ("why.conversion.override", "系统漏记咨询，按 30–50% 档扣 2 分"), ("reason", "")] + typed)
            #expect(sent == .seeOther)
            #expect(try await Self.sheet(app, s5).stage == .review)
            #expect(try await Self.evidence(app, "101005", "conversion.override")?.note?.contains("系统漏记") == true)
        }
    }

    @Test("a decision field appears beside an item only where a flag on it waits for the rater; Tab goes through the hand-rated marks, then the overall evaluation")
    func decisionOnlyWhereFlagged() async throws {
        try await Self.withTeam { app, t in
            let (lead, _) = try await Browser.signIn(app, "lead11", password: Demo.password)
            let s2 = try #require(t.sheets["101002"]), s5 = try #require(t.sheets["101005"])
            let (_, plain) = try await Self.get(app, lead, "/sheets/\(s2)")
            // the fields in the page's order up to the folded decisions: the five marks, then 部门主管整体评价
            let open = String(plain[..<(plain.range(of: "<details>")?.lowerBound ?? plain.endIndex)])
            let order = open.matches(of: /name="v\.([a-z_.]+)"/).map { String($0.output.1) }
            #expect(order == Self.marks + ["evaluation"], "\(order)")
            #expect(!open.contains(".override\""), "no decision box where nothing is flagged")
            // the other decisions are folded away (a closed <details>, out of the Tab order), not gone
            #expect(plain.contains("<details><summary>改判其他依据数据得出的项目"))
            let (_, flagged) = try await Self.get(app, lead, "/sheets/\(s5)")
            let conversionRow = try #require(flagged.firstMatch(of: /<tr data-item="conversion"[\s\S]*?<\/tr>/).map { String(flagged[$0.range]) })
            #expect(conversionRow.contains("name=\"v.conversion.override\"") && conversionRow.contains("name=\"why.conversion.override\""))
            let responseRow = try #require(flagged.firstMatch(of: /<tr data-item="response"[\s\S]*?<\/tr>/).map { String(flagged[$0.range]) })
            #expect(!responseRow.contains(".override"))
            let openFlagged = String(flagged[..<(flagged.range(of: "<details>")?.lowerBound ?? flagged.endIndex)])
            #expect(openFlagged.matches(of: /name="v\.([a-z_]+)\.override"/).map { String($0.output.1) } == ["conversion"])
        }
    }

    @Test("a sheet links the previous and next of the sheets its rater handles in the cycle, and back to the team's grid")
    func previousAndNext() async throws {
        try await Self.withTeam { app, t in
            let (lead, _) = try await Browser.signIn(app, "lead11", password: Demo.password)
            let s2 = try #require(t.sheets["101002"]), s3 = try #require(t.sheets["101003"]), s4 = try #require(t.sheets["101004"])
            let (_, page) = try await Self.get(app, lead, "/sheets/\(s3)")
            #expect(page.contains("<a href=\"/sheets/\(s2.uuidString)\" rel=\"prev\">← 上一张</a>"), "\(page.prefix(3000))")
            #expect(page.contains("<a href=\"/sheets/\(s4.uuidString)\" rel=\"next\">下一张 →</a>"))
            #expect(page.contains(" 2 / 11 ") && page.contains("href=\"\(SiteURL.teamGrid(t.cycle, t.team).path)\""))
            let (_, first) = try await Self.get(app, lead, "/sheets/\(s2)")
            #expect(first.contains(" 1 / 11 ") && first.contains("<span class=\"muted\">← 上一张</span>"))
        }
    }

    @Test("the grid in English shows no Chinese but names, in its header, rows, flags and the script's words")
    func english() async throws {
        try await Self.withTeam { app, t in
            let (lead, _) = try await Browser.signIn(app, "lead11", password: Demo.password)
            let (switched, _) = try await Self.post(app, lead, "language", [("language", "en")])
            #expect(switched == .seeOther)
            let grid = SiteURL.teamGrid(t.cycle, t.team).path
            let (status, html) = try await Self.get(app, lead, grid)
            #expect(status == .ok && html.contains("<html lang=\"en\">"))
            #expect(untranslated(html).isEmpty, "\(untranslated(html).prefix(20))")
            // a posted grid's report too
            let s3 = try #require(t.sheets["101003"])
            let (_, posted) = try await Self.post(app, lead, grid, [("action", "submit_complete")] + Self.fields(s3, version: Self.version(html, s3), [("communication", "4")]))
            #expect(untranslated(posted).isEmpty, "\(untranslated(posted).prefix(20))")
            let (_, sheet) = try await Self.get(app, lead, "/sheets/\(s3)")
            #expect(untranslated(sheet).isEmpty, "\(untranslated(sheet).prefix(20))")
        }
    }
}
