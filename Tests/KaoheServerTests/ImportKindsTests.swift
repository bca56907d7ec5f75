import Fluent
import Foundation
import KaoheCore
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

/// Imports through HTTP as HR does them each month: a platform's chat log, an Excel sheet of
/// metrics by label, an events list, the roster; previews, commits, re-imports, reverts.
@Suite("Imports: logs, XLSX by label, events, roster; saved mappings and revert", .serialized)
struct ImportKindsTests {
    /// The preset as the newest stored version (the seed stores a placeholder as version 1).
    static func preset(_ app: Application, _ id: String) async throws -> SchemeVersion {
        try await EvidenceTests.preset(app, id, version: 2)
    }

    static func post(_ app: Application, _ b: Browser, _ path: String, _ body: Data, _ check: (TestingHTTPResponse) async throws -> Void) async throws {
        var h = b.headers
        h.contentType = HTTPMediaType(type: "application", subType: "octet-stream")
        try await app.testing().test(.POST, path, headers: h, body: ByteBuffer(data: body), afterResponse: check)
    }

    static func preview(_ res: TestingHTTPResponse) throws -> ImportService.Preview {
        #expect(res.status == .ok, "\(res.body.string)")
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.dateDecodingStrategy = .iso8601
        return try d.decode(ImportService.Preview.self, from: Data(res.body.readableBytesView))
    }

    static func revert(_ app: Application, _ b: Browser, _ id: UUID, reason: String = "导错了文件", _ check: (TestingHTTPResponse) async throws -> Void) async throws {
        var h = b.headers
        h.contentType = .json
        try await app.testing().test(.POST, "api/v1/import-batches/\(id)/revert", headers: h, body: ByteBuffer(string: #"{"reason":"\#(reason)"}"#), afterResponse: check)
    }

    static let log = """
    会话ID,客服工号,开始时间,首次响应时长,结果,订单金额,实付金额,退款金额
    1,101001,2026-10-01 09:00:00,20,下单未付款,100,,
    2,101001,2026/10/2 10:00,30,已付款,200,200,
    3,101001,2026-10-31 23:59:59,40,退款,300,300,300
    4,101001,2026-10-15 12:00,,流失,,,
    5,101002,2026-10-03 08:00,10,咨询,,,
    6,101002,2026-10-04 08:00,50,流失,,,

    """

    @Test("a chat log becomes metrics and scores; the same file twice changes nothing; revert undoes it all")
    func logImport() async throws {
        try await withKaohe { app, org in
            _ = try await Self.preset(app, "ecommerce-monthly")
            let (hr, _) = try await Browser.signIn(app, "hr")
            let path = "api/v1/imports/log?scheme=ecommerce-monthly&file=chats.csv&source=qianniu"
            try await Self.post(app, hr, path + "&dry_run=true", Data(Self.log.utf8)) { res in
                let p = try Self.preview(res)
                // 11 metrics for each of the two agents
                #expect(p.rows == 6 && p.created == 22 && p.updated == 0 && !p.committed && p.periods == ["2026-10"])
                #expect(p.mapping.contains { $0.header == "客服工号" && $0.field == "agent" && $0.how == "label" })
                #expect(p.changes.contains { $0.employee == "101001" && $0.field == "orders" && $0.after == "3" })
                #expect(p.unmapped == ["会话ID"])
            }
            #expect(try await EvidenceEntry.query(on: app.db).count() == 0)
            var batch: UUID?
            try await Self.post(app, hr, path + "&dry_run=false", Data(Self.log.utf8)) { res in
                let p = try Self.preview(res)
                #expect(p.committed && p.created == 22)
                batch = p.id
            }
            let orders = try #require(try await EvidenceEntry.query(on: app.db).filter(\.$employee.$id == org.alice).filter(\.$column == "orders").first())
            #expect(orders.value == "3" && orders.note?.contains("R-001-12") == true && orders.note?.contains("4 行") == true)
            let result = try #require(try await StoredResult.query(on: app.db).filter(\.$employee.$id == org.alice).filter(\.$period == "2026-10")
                .join(SchemeVersion.self, on: \StoredResult.$scheme.$id == \SchemeVersion.$id).filter(SchemeVersion.self, \.$version == 2).first())
            // conversion 3 / 4 = 75 % is explained from the imported counts
            #expect(result.json.contains("订单数 3") && result.json.contains("咨询总数 4"))
            // next month's export of the same platform: the saved mapping is reused, the same file changes nothing
            try await Self.post(app, hr, path + "&dry_run=false", Data(Self.log.utf8)) { res in
                let p = try Self.preview(res)
                #expect(p.created == 0 && p.updated == 0 && p.unchanged == 22 && p.sameFileImportedAt != nil)
                #expect(p.mapping.contains { $0.header == "客服工号" && $0.how == "saved" })
            }
            let id = try #require(batch)
            try await Self.revert(app, hr, id) { res in
                #expect(res.status == .ok, "\(res.body.string)")
                #expect(res.body.string.contains("\"reverted\":22"))
            }
            #expect(try await EvidenceEntry.query(on: app.db).count() == 0)
            #expect(try await ImportRecord.find(id, on: app.db)?.status == .reverted)
            try await Self.revert(app, hr, id) { res in #expect(res.status == .conflict) }
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "revert").count()
            #expect(audit == 1)
        }
    }

    @Test("revert is refused, changing nothing, when a value the import wrote was changed since")
    func revertConflict() async throws {
        try await withKaohe { app, org in
            _ = try await EvidenceTests.preset(app, "weighted-template")
            let (hr, _) = try await Browser.signIn(app, "hr")
            var batch: UUID?
            try await Self.post(app, hr, "api/v1/imports/evidence?scheme=weighted-template&file=oct.csv&dry_run=false", Data(ImportTests.csv.utf8)) { res in
                batch = try Self.preview(res).id
            }
            try await EvidenceTests.put(app, hr, #"{"employee_id":"\#(org.alice)","period":"2026-10","scheme":"weighted-template","values":{"quality":"17"},"reason":"复核"}"#) { res in
                #expect(res.status == .ok, "\(res.body.string)")
            }
            try await Self.revert(app, hr, try #require(batch)) { res in
                #expect(res.status == .conflict && res.body.string.contains("101001") && res.body.string.contains("quality"), "\(res.body.string)")
            }
            #expect(try await EvidenceEntry.query(on: app.db).count() == 10)
            #expect(try await ImportRecord.find(batch, on: app.db)?.status == .committed)
            // an agent may not revert HR's import
            let (alice, _) = try await Browser.signIn(app, "alice")
            try await Self.revert(app, alice, try #require(batch)) { res in #expect(res.status == .forbidden) }
        }
    }

    @Test("an Excel sheet of metrics by Chinese label, with a column chosen by hand; next month maps itself")
    func xlsxByLabel() async throws {
        try await withKaohe { app, org in
            _ = try await EvidenceTests.preset(app, "weighted-template")
            let (hr, _) = try await Browser.signIn(app, "hr")
            func book(_ renamed: String, _ q: String) throws -> Data {
                try XLSXWriter(sheets: [.init(name: "十月", title: "客服指标 2026年10月", header: ["工号", "姓名", "月份", "客户满意度", renamed, "服务质量", "备注"],
                                              rows: [[.text("101001"), .text("艾丽"), .date("2026-10-01"), .text("92%"), .number("25"), .number(q), .text("好")],
                                                     [.text("101002"), .text("鲍勃"), .date("2026-10-01"), .text("85%"), .number("45"), .number("14"), .empty]])]).data()
            }
            let mapping = #"{"首响(秒)":"response_time","备注":"-"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            try await Self.post(app, hr, "api/v1/imports/evidence?scheme=weighted-template&file=oct.xlsx&source=crm&mapping=\(mapping)&dry_run=false",
                                try book("首响(秒)", "18")) { res in
                let p = try Self.preview(res)
                #expect(p.committed && p.created == 6 && p.sheet == "十月" && p.periods == ["2026-10"], "\(p)")
                #expect(p.mapping.contains { $0.header == "首响(秒)" && $0.how == "chosen" })
                #expect(p.mapping.contains { $0.header == "客户满意度" && $0.field == "satisfaction" && $0.how == "label" })
                #expect(p.notices.contains { $0.contains("title row") })
            }
            let sat = try #require(try await EvidenceEntry.query(on: app.db).filter(\.$employee.$id == org.alice).filter(\.$column == "satisfaction").first())
            #expect(sat.value == "92")
            // November: same source, same headers, no mapping given — the saved one applies; one value changed
            try await Self.post(app, hr, "api/v1/imports/evidence?scheme=weighted-template&file=nov.xlsx&source=crm&dry_run=true", try book("首响(秒)", "19")) { res in
                let p = try Self.preview(res)
                #expect(p.updated == 1 && p.unchanged == 5 && p.mapping.contains { $0.header == "首响(秒)" && $0.how == "saved" })
                #expect(p.changes.first { $0.status == "updated" }?.before == "18")
            }
            // without the source the unknown header is reported, not guessed
            try await Self.post(app, hr, "api/v1/imports/evidence?scheme=weighted-template&file=nov.xlsx&dry_run=true", try book("首响(秒)", "19")) { res in
                let p = try Self.preview(res)
                #expect(p.unmapped.contains("首响(秒)"))
            }
            try await app.testing().test(.GET, "api/v1/import-mappings", headers: hr.headers) { res in
                #expect(res.body.string.contains("\"source\":\"crm\"") && res.body.string.contains("response_time"))
            }
        }
    }

    @Test("events one per row: by label or its short name, ambiguous names refused, the same file twice adds nothing")
    func events() async throws {
        try await withKaohe { app, org in
            _ = try await EvidenceTests.preset(app, "property-cs")
            let (hr, _) = try await Browser.signIn(app, "hr")
            let csv = """
            工号,日期,事件,说明
            101001,2026-10-05,被客戶有效投訴,物业费争议
            101001,2026年10月6日,服務態度·被客戶有效投訴,
            101002,2026/10/7,紀律作風·遲到早退,迟到10分钟
            """
            let path = "api/v1/imports/events?scheme=property-cs&file=events.csv"
            try await Self.post(app, hr, path + "&dry_run=false", Data(csv.utf8)) { res in
                let p = try Self.preview(res)
                #expect(p.committed && p.created == 3 && p.periods == ["2026-10"])
            }
            let complaints = try #require(try await EvidenceEntry.query(on: app.db).filter(\.$employee.$id == org.alice)
                .filter(\.$column == "de_service_attitude.complaint").first())
            #expect(complaints.value == "2")
            try await Self.post(app, hr, path + "&dry_run=false", Data(csv.utf8)) { res in
                let p = try Self.preview(res)
                #expect(p.created == 0 && p.unchanged == 3)
            }
            #expect(try await EventRecord.query(on: app.db).count() == 3)
            for (bad, row, words) in [(csv + "\n101002,2026-10-08,遲到早退,", 5, "ambiguous"), (csv + "\n101002,2026-10-32,遲到早退,", 5, "not a date"),
                                      (csv + "\n101002,2026-10-08,打瞌睡,", 5, "not an event"), (csv + "\n109999,2026-10-08,紀律作風·遲到早退,", 5, "109999")] {
                try await Self.post(app, hr, path + "&dry_run=false", Data(bad.utf8)) { res in
                    #expect(res.status == .unprocessableEntity && res.body.string.contains("row \(row)") && res.body.string.contains(words), "\(res.body.string)")
                }
            }
            #expect(try await EventRecord.query(on: app.db).count() == 3)
        }
    }

    @Test("the roster from Excel: people added and changed, bad rows named, HR only, revert restores")
    func roster() async throws {
        try await withKaohe { app, org in
            let (hr, _) = try await Browser.signIn(app, "hr")
            let csv = """
            工号,姓名,部门,班组,岗位,入职日期,上级工号,星级
            101001,艾丽,01,一组,高级客服,2025-03-01,101002,★★
            101009,新人甲,客服一部,二组,客服专员,2026/11/2,101009x,
            """
            try await Self.post(app, hr, "api/v1/imports/roster?file=roster.csv&dry_run=true", Data(csv.utf8)) { res in
                #expect(res.status == .unprocessableEntity && res.body.string.contains("row 3") && res.body.string.contains("上级工号"), "\(res.body.string)")
            }
            let good = csv.replacingOccurrences(of: "101009x", with: "101002")
            var batch: UUID?
            try await Self.post(app, hr, "api/v1/imports/roster?file=roster.csv&dry_run=false", Data(good.utf8)) { res in
                let p = try Self.preview(res)
                #expect(p.created == 1 && p.updated == 1 && p.committed)
                #expect(p.changes.contains { $0.employee == "101001" && $0.field == "position" && $0.before == "客服专员" && $0.after == "高级客服" })
                batch = p.id
            }
            let alice = try #require(try await Employee.find(org.alice, on: app.db))
            #expect(alice.position == "高级客服" && alice.star == 2 && alice.superiorId == org.bob)
            let newcomer = try #require(try await Employee.query(on: app.db).filter(\.$number == "101009").first())
            #expect(newcomer.hireDate == "2026-11-02" && newcomer.$team.id == org.team2)
            try await Self.post(app, hr, "api/v1/imports/roster?file=roster.csv&dry_run=false", Data(good.utf8)) { res in
                let p = try Self.preview(res)
                #expect(p.created == 0 && p.updated == 0 && p.unchanged == 2)
            }
            let (mgr, _) = try await Browser.signIn(app, "mgr")
            try await Self.post(app, mgr, "api/v1/imports/roster?file=roster.csv", Data(good.utf8)) { res in #expect(res.status == .forbidden) }
            try await Self.revert(app, hr, try #require(batch)) { res in #expect(res.status == .ok, "\(res.body.string)") }
            let restored = try #require(try await Employee.find(org.alice, on: app.db))
            #expect(restored.position == "客服专员" && restored.star == nil && restored.superiorId == nil)
            #expect(try await Employee.query(on: app.db).filter(\.$number == "101009").count() == 0)
            // a department that does not exist is named with its row
            try await Self.post(app, hr, "api/v1/imports/roster?file=roster.csv", Data(good.replacingOccurrences(of: ",01,", with: ",99,").utf8)) { res in
                #expect(res.status == .unprocessableEntity && res.body.string.contains("row 2") && res.body.string.contains("99"))
            }
        }
    }

    @Test("bad files: GB18030 read, binary refused, unknown kind 404, a bad period 400; nothing written")
    func badFiles() async throws {
        try await withKaohe { app, _ in
            _ = try await EvidenceTests.preset(app, "weighted-template")
            let (hr, _) = try await Browser.signIn(app, "hr")
            let gb = try #require(ImportTests.csv.replacingOccurrences(of: "name", with: "姓名").data(using: TextInput.gb18030))
            try await Self.post(app, hr, "api/v1/imports/evidence?scheme=weighted-template&file=gbk.csv", gb) { res in
                let p = try Self.preview(res)
                #expect(p.created == 10 && p.notices.contains { $0.contains("GB18030") } && !p.committed)
            }
            #expect(try await EvidenceEntry.query(on: app.db).count() == 0, "after the GB18030 dry run")
            try await Self.post(app, hr, "api/v1/imports/evidence?scheme=weighted-template&file=photo.csv", Data([0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 13])) { res in
                #expect(res.status == .unprocessableEntity && res.body.string.contains("photo.csv") && res.body.string.contains("binary"))
            }
            try await Self.post(app, hr, "api/v1/imports/payroll?file=x.csv", Data("a\n1\n".utf8)) { res in #expect(res.status == .notFound) }
            try await Self.post(app, hr, "api/v1/imports/evidence?scheme=weighted-template&file=x.csv&period=10月", Data(ImportTests.csv.utf8)) { res in
                #expect(res.status == .badRequest && res.body.string.contains("period"))
            }
            let entries = try await EvidenceEntry.query(on: app.db).count(), imports = try await ImportRecord.query(on: app.db).count()
            #expect(entries == 0 && imports == 0, "\(entries) \(imports)")
        }
    }
}
