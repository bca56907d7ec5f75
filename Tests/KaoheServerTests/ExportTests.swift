import Fluent
import Foundation
import KaoheCore
import Testing
import Vapor
import VaporTesting
import ZIPFoundation
@testable import KaoheServer

@Suite("Exports: the R-000-06 forms, ranking, star board, ledger as XLSX and CSV", .serialized)
struct ExportTests {
    /// October of weighted-template imported for 101001 (96) and 101002.
    static func october(_ app: Application) async throws -> Browser {
        _ = try await EvidenceTests.preset(app, "weighted-template")
        let (hr, _) = try await Browser.signIn(app, "hr")
        try await ImportKindsTests.post(app, hr, "api/v1/imports/evidence?scheme=weighted-template&file=oct.csv&dry_run=false", Data(ImportTests.csv.utf8)) { res in
            #expect(res.status == .ok, "\(res.body.string)")
        }
        try await publishResults(app, "weighted-template", "2026-10")
        return hr
    }

    static func get(_ app: Application, _ b: Browser, _ path: String) async throws -> (HTTPStatus, Data, HTTPHeaders) {
        var out: (HTTPStatus, Data, HTTPHeaders) = (.ok, Data(), [:])
        try await app.testing().test(.GET, path, headers: b.headers) { res in out = (res.status, Data(res.body.readableBytesView), res.headers) }
        return out
    }

    /// The raw XML of a worksheet, to check cell types.
    static func sheetXML(_ data: Data, _ n: Int) throws -> String {
        let a = try Archive(data: data, accessMode: .read)
        var out = Data()
        _ = try a.extract(a["xl/worksheets/sheet\(n).xml"]!) { out.append($0) }
        return String(decoding: out, as: UTF8.self)
    }

    @Test("monthly record: every item with its rule and explanation, a summary with numbers as numbers")
    func monthlyRecord() async throws {
        try await withKaohe { app, _ in
            let hr = try await Self.october(app)
            let (status, data, headers) = try await Self.get(app, hr, "api/v1/exports/monthly-record?period=2026-10&scheme=weighted-template")
            #expect(status == .ok && headers.contentType?.subType == "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(headers.first(name: .contentDisposition)?.contains("filename*=UTF-8''") == true)
            #expect(try XLSXReader.sheetNames(data, file: "m.xlsx") == ["月度考核記錄", "汇总"])
            let detail = try Grid.read(data, file: "m.xlsx")
            #expect(detail.header == ["工号", "姓名", "部门", "班组", "期间", "方案", "考核项目", "规则", "得分/金额", "满分", "依据与计算"])
            #expect(detail.notices.contains { $0.contains("員工月績效考核記錄表 2026-10") })
            let alice = detail.rows.filter { $0.cells[0] == "101001" }
            #expect(alice.count >= 4 && alice.allSatisfy { !$0.cells[7].isEmpty && !$0.cells[10].isEmpty })
            let summary = try Grid.read(data, file: "m.xlsx", sheet: "汇总")
            let row = try #require(summary.rows.first { $0.cells[0] == "101001" })
            #expect(row.cells[5] == "96" && row.cells[2] == "客服一部" && row.cells[3] == "一组")
            // the total is a numeric cell shown as points (style 4, 0.00), the 工号 a text cell
            let xml = try Self.sheetXML(data, 2)
            #expect(xml.contains("<c r=\"F3\" s=\"4\"><v>96</v></c>") && xml.contains("<c r=\"A3\" t=\"inlineStr\">"))
            let (cs, csv, ch) = try await Self.get(app, hr, "api/v1/exports/monthly-record?period=2026-10&format=csv&scheme=weighted-template")
            #expect(cs == .ok && csv.starts(with: [0xEF, 0xBB, 0xBF]) && ch.contentType?.subType == "csv")
            #expect(String(decoding: csv, as: UTF8.self).contains("101001,艾丽,客服一部,一组,2026-10,weighted-template v1,"))
        }
    }

    @Test("every form builds; year forms take a year; managers see their department only; agents none")
    func formsAndAccess() async throws {
        try await withKaohe { app, _ in
            let hr = try await Self.october(app)
            for (form, period) in [("year-end-record", "2026"), ("department-stats", "2026"), ("annual-stats", "2026"), ("ranking", "2026-10"),
                                   ("star-board", ""), ("ledger", "2026-10"), ("results", "2026-10"), ("results", "2026")] {
                let (status, data, _) = try await Self.get(app, hr, "api/v1/exports/\(form)?period=\(period)")
                #expect(status == .ok, "\(form) \(String(decoding: data, as: UTF8.self))")
                #expect(try Grid.read(data, file: "\(form).xlsx").rows.count > 0, "\(form)")
            }
            let year = try Grid.read(try await Self.get(app, hr, "api/v1/exports/year-end-record?period=2026&scheme=weighted-template").1, file: "y.xlsx")
            let alice = try #require(year.rows.first { $0.cells[0] == "101001" })
            #expect(alice.cells[year.header.firstIndex(of: "10月")!] == "96" && alice.cells[year.header.firstIndex(of: "考核月数")!] == "1")
            let ranking = try Grid.read(try await Self.get(app, hr, "api/v1/exports/ranking?period=2026-10&scheme=weighted-template").1, file: "r.xlsx")
            #expect(ranking.rows.map { $0.cells[0] } == ["1", "2"] && ranking.rows[0].cells[1] == "101001")
            for (path, status) in [("exports/ranking?period=2026", HTTPStatus.badRequest), ("exports/year-end-record?period=20x6", .badRequest),
                                   ("exports/payslips?period=2026-10", .notFound), ("exports/ranking?period=2026-10&format=pdf", .badRequest),
                                   ("exports/ranking?period=2026-10&department=77", .notFound)] {
                #expect(try await Self.get(app, hr, "api/v1/\(path)").0 == status, "\(path)")
            }
            let (mgr, _) = try await Browser.signIn(app, "mgr")
            let own = try Grid.read(try await Self.get(app, mgr, "api/v1/exports/results?period=2026-10").1, file: "r.xlsx")
            #expect(own.rows.contains { $0.cells[0] == "101001" } && !own.rows.contains { $0.cells[0] == "102001" })
            #expect(try await Self.get(app, mgr, "api/v1/exports/results?period=2026-10&department=02").0 == .forbidden)
            let (alice2, _) = try await Browser.signIn(app, "alice")
            #expect(try await Self.get(app, alice2, "api/v1/exports/results?period=2026-10").0 == .forbidden)
            let audits = try await AuditEntry.query(on: app.db).filter(\.$action == "export").count()
            #expect(audits >= 10)
        }
    }

    @Test("an exported workbook opens in LibreOffice (when installed) with its Chinese text")
    func libreOffice() async throws {
        let candidates = ["/usr/bin/libreoffice", "/usr/bin/soffice", "/usr/local/bin/libreoffice"]
        guard let office = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            // CI installs LibreOffice and sets this, so the check cannot be skipped there
            if ProcessInfo.processInfo.environment["KAOHE_REQUIRE_LIBREOFFICE"] != nil { Issue.record("LibreOffice is required but not installed") }
            return
        }
        try await withKaohe { app, _ in
            let hr = try await Self.october(app)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kaohe-lo-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            for form in ["monthly-record", "ranking", "ledger"] {
                let (_, data, _) = try await Self.get(app, hr, "api/v1/exports/\(form)?period=2026-10&scheme=weighted-template")
                let file = dir.appendingPathComponent("\(form).xlsx")
                try data.write(to: file)
                let p = Process()
                p.executableURL = URL(fileURLWithPath: office)
                p.arguments = ["--headless", "-env:UserInstallation=file://\(dir.path)/profile", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1",
                               "--outdir", dir.path, file.path]
                p.standardOutput = FileHandle.nullDevice
                p.standardError = FileHandle.nullDevice
                try p.run()
                p.waitUntilExit()
                let csv = try String(contentsOf: dir.appendingPathComponent("\(form).csv"), encoding: .utf8)
                #expect(csv.contains("101001") && csv.contains("艾丽") && csv.contains("工号"), "\(form): \(csv.prefix(300))")
            }
        }
    }
}

@Suite("Forms as pages", .serialized)
struct ReportPageTests {
    @Test("the ranking and the monthly record as printable pages with their downloads; managers their department; agents none")
    func pages() async throws {
        try await withKaohe { app, _ in
            let hr = try await ExportTests.october(app)
            // HR's people page lists everyone with their latest result (one query for all)
            try await app.testing().test(.GET, "people", headers: hr.headers) { res in
                #expect(res.body.string.contains("2026-10：69.5") && res.body.string.contains("102001"))
            }
            try await app.testing().test(.GET, "reports", headers: hr.headers) { res in
                #expect(res.status == .ok && res.body.string.contains("/reports/ranking?period=2026-10") && res.body.string.contains("/reports/annual-stats?period=2026"))
            }
            try await app.testing().test(.GET, "reports/ranking?period=2026-10", headers: hr.headers) { res in
                let html = res.body.string
                #expect(res.status == .ok && html.contains("月度考核排名 2026-10") && html.contains("<th>名次</th>") && html.contains("101001"))
                // the link's & written as &amp; in the href (HTMLEscape, issue 13)
                #expect(html.contains("/exports/download?form=ranking&amp;period=2026-10") && html.contains("@page{size:A4 landscape"))
            }
            try await app.testing().test(.GET, "reports/monthly-record?period=2026-10", headers: hr.headers) { res in
                #expect(res.status == .ok && res.body.string.contains("<h2>汇总</h2>") && res.body.string.contains("依据与计算"))
            }
            try await app.testing().test(.GET, "reports/ranking?period=2026", headers: hr.headers) { res in #expect(res.status == .badRequest) }
            let (mgr, _) = try await Browser.signIn(app, "mgr")
            try await app.testing().test(.GET, "reports/results?period=2026-10", headers: mgr.headers) { res in
                #expect(res.status == .ok && res.body.string.contains("101001") && !res.body.string.contains("102001"))
            }
            let (alice, _) = try await Browser.signIn(app, "alice")
            try await app.testing().test(.GET, "reports/ranking?period=2026-10", headers: alice.headers) { res in #expect(res.status == .forbidden) }
        }
    }
}
