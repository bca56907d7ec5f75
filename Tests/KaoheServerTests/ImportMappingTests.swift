import Fluent
import Foundation
import KaoheCore
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

/// Issue 16 §3: a platform's own export (千牛-style, GB18030, Chinese headers with units) can be
/// finished on the page: 销售额(元) goes to the sales amount, never to a rater's override; 统计月份
/// is the period; the columns nobody recognises get a choice, saved for the source; equal numbers
/// are unchanged; the preview reads as a summary with labels; an error keeps every choice.
@Suite("Imports people can finish: column choices per source, labels, no fake updates", .serialized)
struct ImportMappingTests {
    /// A 千牛-style monthly export: two columns the scheme does not know (店铺名称, 退款笔数).
    static let export = """
    工号,姓名,统计月份,咨询总数,订单数,销售额(元),店铺名称,退款笔数
    101001,艾丽,2026年11月,200,70,246742.65,旗舰店,3
    101002,鲍勃,2026年11月,150,30,261774.2,旗舰店,1
    """

    static func gb(_ text: String) throws -> Data { try #require(text.data(using: TextInput.gb18030)) }

    /// Percent-encoding for a form body or a query: everything but ASCII letters and digits.
    static func enc(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))!
    }

    static func api(_ app: Application, _ b: Browser, _ data: Data, source: String = "千牛", dryRun: Bool = true,
                    _ check: (TestingHTTPResponse) async throws -> Void) async throws {
        var h = b.headers
        h.contentType = HTTPMediaType(type: "text", subType: "csv")
        try await app.testing().test(.POST, "api/v1/imports/evidence?scheme=ecommerce-monthly&file=export.csv&source=\(enc(source))&dry_run=\(dryRun)",
                                     headers: h, body: ByteBuffer(data: data), afterResponse: check)
    }

    /// The page's upload form with a file.
    static func upload(_ app: Application, _ b: Browser, _ data: Data, file: String = "千牛报表.csv",
                       _ check: (TestingHTTPResponse) async throws -> Void) async throws {
        let (body, type) = DataPageTests.multipart([("_csrf", b.csrf), ("kind", "evidence"), ("scheme", "ecommerce-monthly"), ("source", "千牛"),
                                                    ("period", ""), ("sheet", "")], file: (file, data))
        var h = b.headers
        h.contentType = type
        try await app.testing().test(.POST, "imports", headers: h, body: body, afterResponse: check)
    }

    /// The kept upload's form posted again: the choices (header index → field) and the action.
    static func choose(_ app: Application, _ b: Browser, upload: String, _ columns: [(Int, String, proposed: String, chosen: String)], action: String,
                       _ check: (TestingHTTPResponse) async throws -> Void) async throws {
        var fields = [("_csrf", b.csrf), ("upload", upload), ("scheme", "ecommerce-monthly"), ("source", "千牛"), ("period", ""), ("sheet", ""), ("action", action)]
        for (k, header, proposed, chosen) in columns { fields += [("h\(k)", header), ("p\(k)", proposed), ("f\(k)", chosen)] }
        var h = b.headers
        h.contentType = .urlEncodedForm
        try await app.testing().test(.POST, "imports/commit", headers: h, body: ByteBuffer(string: fields.map { "\($0.0)=\(enc($0.1))" }.joined(separator: "&")),
                                     afterResponse: check)
    }

    static func uploadId(_ html: String) -> String {
        guard let r = html.range(of: "name=\"upload\" value=\"") else { return "" }
        return String(html[r.upperBound...].prefix(36))
    }

    /// The `<select name="f<k>">` of a column, as rendered.
    static func select(_ html: String, _ k: Int) -> String {
        guard let start = html.range(of: "<select name=\"f\(k)\">"), let end = html[start.upperBound...].range(of: "</select>") else { return "" }
        return String(html[start.lowerBound..<end.upperBound])
    }

    static func value(_ app: Application, _ number: String, _ column: String) async throws -> String? {
        let e = try #require(try await Employee.query(on: app.db).filter(\.$number == number).first())
        return try await EvidenceEntry.query(on: app.db).filter(\.$employee.$id == e.requireID()).filter(\.$period == "2026-11")
            .filter(\.$column == column).first()?.value
    }

    @Test("销售额(元) maps to the sales amount, not the 销售额 override; 统计月份 is the period; the unknown columns are listed with choices")
    func matching() async throws {
        try await withKaohe { app, _ in
            _ = try await EvidenceTests.preset(app, "ecommerce-monthly", version: 2)
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await Self.api(app, hr, try Self.gb(Self.export)) { res in
                #expect(res.status == .ok, "\(res.body.string)")
                let p = try res.content.decode(ImportService.Preview.self)
                let sales = try #require(p.columns.first { $0.header == "销售额(元)" })
                #expect(sales.field == "sales_amount" && sales.how == "alias", "\(sales)")
                #expect(!p.mapping.contains { $0.field.hasSuffix(".override") })
                #expect(p.columns.first { $0.header == "统计月份" }?.field == "period" && p.periods == ["2026-11"])
                #expect(p.unmapped == ["店铺名称", "退款笔数"] && p.columns.filter { $0.how == "none" }.map(\.header) == ["店铺名称", "退款笔数"])
                // 2 people × 咨询总数, 订单数, 订单总金额
                #expect(p.people == 2 && p.created == 6 && p.updated == 0)
                #expect(p.changes.contains { $0.field == "sales_amount" && $0.after == "246742.65" && $0.label == "订单总金额" })
                // the override is a choice (under what raters fill in), never a match
                #expect(p.fields.contains { $0.id == "sales.override" && $0.group == "mark" } && p.fields.contains { $0.id == "sales_amount" && $0.group == "metric" })
                #expect(p.notices.contains { $0.contains("GB18030") })
            }
            // a unit that does not fit is no match: 咨询总数(元) is not the count of inquiries
            try await Self.api(app, hr, try Self.gb(Self.export.replacingOccurrences(of: "咨询总数", with: "咨询总数(元)"))) { res in
                let p = try res.content.decode(ImportService.Preview.self)
                #expect(p.columns.first { $0.header == "咨询总数(元)" }.map { $0.how == "unit" && $0.field == nil && $0.refused == "inquiries" } == true)
            }
            #expect(try await EvidenceEntry.query(on: app.db).count() == 0, "dry runs write nothing")
        }
    }

    @Test("on the page: the summary with labels, a choice per unknown column, choices saved for the source and proposed next time, no fake updates")
    func choicesOnThePage() async throws {
        try await withKaohe { app, _ in
            _ = try await EvidenceTests.preset(app, "ecommerce-monthly", version: 2)
            var (hr, _) = try await Browser.signIn(app, "hr")
            try await app.testing().test(.GET, "imports", headers: hr.headers) { res in hr.remember(res) }
            var upload = ""
            try await Self.upload(app, hr, try Self.gb(Self.export)) { res in
                let html = res.body.string
                #expect(res.status == .ok, "\(html)")
                // the reader's summary first, then the changes per person by label
                #expect(html.contains("2 人，6 个值新增，0 个值变更，0 个值不变；问题：2 列未对应，1 列待确认"), "\(html)")
                #expect(html.contains("订单总金额 246742.65（新增）") && html.contains("咨询总数 200（新增）"))
                #expect(!html.contains("sales_amount 246742.65") && !html.contains("<td>sales_amount</td>"))
                // each unknown column: a choice of the scheme's fields or 忽略, explained
                // a column nothing matched starts at 「请选择」: 忽略 is a choice a person makes
                #expect(Self.select(html, 6).contains("<option value selected=\"selected\">— 请选择 —</option>") && !Self.select(html, 6).contains("value=\"-\" selected"), "\(Self.select(html, 6))")
                #expect(Self.select(html, 7).contains("value=\"refund_orders\""))
                // the notices name the fields as the scheme does, never by id
                #expect(html.contains("文件的列「销售额(元)」按考核项目的名称对应到「订单总金额」，请确认") && html.contains("文件的列「咨询总数」按名称对应到「咨询总数」"), "\(html)")
                #expect(!html.contains("→ sales_amount") && !html.contains("by label"))
                #expect(Self.select(html, 7).contains(">订单总金额<") && Self.select(html, 7).contains(">忽略（不导入）<"))
                #expect(Self.select(html, 5).contains("value=\"sales_amount\" selected=\"selected\""))
                #expect(html.contains("未找到匹配") && html.contains("表头「销售额(元)」与考核项目的名称相同，对应到指标「订单总金额」，请确认"))
                #expect(html.contains("按表头「咨询总数」与指标「咨询总数」相同匹配"))
                upload = Self.uploadId(html)
            }
            #expect(upload.count == 36)
            // 店铺名称 left at 「请选择」: still a column without a field
            try await Self.choose(app, hr, upload: upload, [(6, "店铺名称", "", ""), (7, "退款笔数", "", "refund_orders")], action: "preview") { res in
                let html = res.body.string
                #expect(html.contains("；问题：1 列未对应，1 列待确认"), "\(html)")
            }
            let choices: [(Int, String, proposed: String, chosen: String)] = [(6, "店铺名称", "", "-"), (7, "退款笔数", "refund_orders", "refund_orders")]
            // previewed again with the choices: 退款订单数 is in, 店铺名称 ignored by choice (no longer a problem)
            try await Self.choose(app, hr, upload: upload, choices, action: "preview") { res in
                let html = res.body.string
                #expect(res.status == .ok, "\(html)")
                #expect(html.contains("2 人，8 个值新增") && html.contains("退款订单数 3（新增）") && html.contains("按你的选择：忽略"))
                #expect(html.contains("；问题：1 列待确认") && !html.contains("列未对应"), "\(html)")
                #expect(Self.select(html, 7).contains("value=\"refund_orders\" selected=\"selected\""))
            }
            #expect(try await EvidenceEntry.query(on: app.db).count() == 0)
            try await Self.choose(app, hr, upload: upload, [(6, "店铺名称", "-", "-"), (7, "退款笔数", "refund_orders", "refund_orders")], action: "commit") { res in
                #expect(res.status == .ok && res.body.string.contains("已导入"), "\(res.body.string)")
            }
            #expect(try await Self.value(app, "101001", "sales_amount") == "246742.65")
            #expect(try await Self.value(app, "101001", "refund_orders") == "3")
            #expect(try await Self.value(app, "101001", "sales.override") == nil)
            #expect(try await EvidenceEntry.query(on: app.db).filter(\.$period == "2026-11").count() == 8)
            // the choices are kept for the source
            let saved = try #require(try await ImportStore.mapping(source: "千牛", kind: "evidence", on: app.db))
            let map = try JSONDecoder().decode([String: String].self, from: Data(saved.mapping.utf8))
            #expect(map["退款笔数"] == "refund_orders" && map["店铺名称"] == "-" && map["销售额(元)"] == "sales_amount")

            // next month's file from the same source: the saved choices are proposed; equal numbers are unchanged
            let next = Self.export.replacingOccurrences(of: "200,70,", with: "210,70.0,").replacingOccurrences(of: "261774.2,", with: "261774.20,")
            try await Self.upload(app, hr, try Self.gb(next)) { res in
                let html = res.body.string
                #expect(res.status == .ok, "\(html)")
                #expect(Self.select(html, 7).contains("value=\"refund_orders\" selected=\"selected\"") && html.contains("按来源「千牛」上次保存的选择"))
                #expect(html.contains("按来源「千牛」上次的选择：忽略"))
                #expect(html.contains("2 人，0 个值新增，1 个值变更，7 个值不变；没有问题"), "\(html)")
                #expect(html.contains("咨询总数 200 → 210") && !html.contains("70 → 70.0") && !html.contains("261774.2 → 261774.20"))
            }
            // the very same values again: nothing changes
            try await Self.api(app, hr, try Self.gb(Self.export.replacingOccurrences(of: "261774.2,", with: "261774.20,"))) { res in
                let p = try res.content.decode(ImportService.Preview.self)
                #expect(p.created == 0 && p.updated == 0 && p.unchanged == 8 && p.changes.isEmpty, "\(p.changes)")
            }
        }
    }

    @Test("an error re-renders the page with the file kept and every choice; a lead cannot import outside the team")
    func errorsKeepChoices() async throws {
        try await withKaohe { app, _ in
            _ = try await EvidenceTests.preset(app, "ecommerce-monthly", version: 2)
            var (hr, _) = try await Browser.signIn(app, "hr")
            try await app.testing().test(.GET, "imports", headers: hr.headers) { res in hr.remember(res) }
            var upload = ""
            try await Self.upload(app, hr, try Self.gb(Self.export)) { res in upload = Self.uploadId(res.body.string) }
            // a choice that makes a cell wrong: 店铺名称 is no number of refunds
            try await Self.choose(app, hr, upload: upload, [(6, "店铺名称", "-", "refund_orders"), (7, "退款笔数", "-", "-")], action: "preview") { res in
                let html = res.body.string
                #expect(res.status == .unprocessableEntity && html.contains("role=\"alert\"") && html.contains("第 2 行"), "\(html)")
                // the file is still there, the choices as made, the scheme and source as chosen
                #expect(Self.uploadId(html) == upload && html.contains("千牛报表.csv"))
                #expect(Self.select(html, 6).contains("value=\"refund_orders\" selected=\"selected\"") && Self.select(html, 7).contains("<option value selected=\"selected\">— 请选择 —</option>"))
                #expect(html.contains("name=\"source\" value=\"千牛\"") && html.contains("value=\"ecommerce-monthly\" selected=\"selected\""))
                #expect(!html.contains("value=\"commit\""), "no commit after an error")
            }
            // a value out of range on upload: refused whole, the upload kept with its choices
            try await Self.upload(app, hr, try Self.gb(Self.export.replacingOccurrences(of: "261774.2,", with: "-5,"))) { res in
                let html = res.body.string
                #expect(res.status == .unprocessableEntity && html.contains("role=\"alert\"") && html.contains("销售额(元)"), "\(html)")
                #expect(Self.uploadId(html).count == 36 && Self.select(html, 5).contains("value=\"sales_amount\" selected=\"selected\""))
                #expect(html.contains("name=\"source\" value=\"千牛\""))
            }
            #expect(try await EvidenceEntry.query(on: app.db).count() == 0)
            // the lead of 一组 (101001, 101002) cannot record 101003 of 二组
            var (bob, _) = try await Browser.signIn(app, "bob")
            try await app.testing().test(.GET, "imports", headers: bob.headers) { res in bob.remember(res) }
            try await Self.api(app, bob, Data("工号,统计月份,咨询总数\n101001,2026-11,5\n101003,2026-11,6\n".utf8), dryRun: false) { res in
                #expect(res.status == .forbidden, "\(res.body.string)")
            }
            #expect(try await EvidenceEntry.query(on: app.db).count() == 0)
            // nor commit someone else's upload
            var h = bob.headers
            h.contentType = .urlEncodedForm
            try await app.testing().test(.POST, "imports/commit", headers: h, body: ByteBuffer(string: "_csrf=\(Self.enc(bob.csrf))&upload=\(upload)")) { res in
                #expect(res.status == .notFound)
            }
        }
    }
}
