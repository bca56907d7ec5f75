import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

@Suite("Evidence CSV import: preview, all-or-nothing commit, idempotent", .serialized)
struct ImportTests {
    static func upload(_ app: Application, _ b: Browser, _ csv: String, dryRun: Bool, file: String = "october.csv",
                       _ check: (TestingHTTPResponse) async throws -> Void) async throws {
        var h = b.headers
        h.contentType = HTTPMediaType(type: "text", subType: "csv")
        try await app.testing().test(.POST, "api/v1/imports/evidence?scheme=weighted-template&file=\(file)&dry_run=\(dryRun)", headers: h,
                                     body: ByteBuffer(string: csv), afterResponse: check)
    }

    static let csv = """
    employee_id,name,period,satisfaction,response_time,quality,attitude,workload_rate
    101001,艾丽,2026-10,92,25,18,13,100
    101002,鲍勃,2026-10,85,45,14,12,80
    """

    @Test func previewCommitAndReimport() async throws {
        try await withKaohe { app, org in
            _ = try await EvidenceTests.preset(app, "weighted-template")
            let (hr, _) = try await Browser.signIn(app, "hr")
            try await Self.upload(app, hr, Self.csv, dryRun: true) { res in
                #expect(res.status == .ok, "\(res.body.string)")
                #expect(res.body.string.contains("\"created\":10") && res.body.string.contains("\"committed\":false"))
            }
            var rows = try await EvidenceEntry.query(on: app.db).count()
            #expect(rows == 0)
            try await Self.upload(app, hr, Self.csv, dryRun: false) { res in
                #expect(res.body.string.contains("\"created\":10") && res.body.string.contains("\"committed\":true"))
            }
            rows = try await EvidenceEntry.query(on: app.db).count()
            #expect(rows == 10)
            let alice = try await StoredResult.query(on: app.db).filter(\.$employee.$id == org.alice).filter(\.$period == "2026-10").all()
            #expect(alice.contains { $0.total == "96" })
            // the same file again changes nothing
            try await Self.upload(app, hr, Self.csv, dryRun: false) { res in
                #expect(res.body.string.contains("\"created\":0") && res.body.string.contains("\"updated\":0") && res.body.string.contains("\"unchanged\":10"))
            }
            // a corrected file updates one cell, audited before/after
            try await Self.upload(app, hr, Self.csv.replacingOccurrences(of: "85,45,14", with: "85,45,15"), dryRun: false) { res in
                #expect(res.body.string.contains("\"updated\":1"))
            }
            let update = try #require(try await AuditEntry.query(on: app.db).filter(\.$entity == "evidence").filter(\.$action == "update").first())
            #expect(update.before == "14" && update.after == "15")
            let imports = try await ImportRecord.query(on: app.db).count()
            #expect(imports == 3)
        }
    }

    @Test func badFilesChangeNothing() async throws {
        try await withKaohe { app, _ in
            _ = try await EvidenceTests.preset(app, "weighted-template")
            let (hr, _) = try await Browser.signIn(app, "hr")
            let cases: [(String, HTTPStatus, String)] = [
                (Self.csv.replacingOccurrences(of: "85,45,14", with: "85,abc,14"), .unprocessableEntity, "第 3 行"),
                (Self.csv.replacingOccurrences(of: "101002", with: "999999"), .unprocessableEntity, "999999"),
                (Self.csv.replacingOccurrences(of: ",period", with: "").replacingOccurrences(of: ",2026-10", with: ""), .unprocessableEntity, "period"),
                ("", .badRequest, "empty"),
            ]
            for (csv, status, mention) in cases {
                try await Self.upload(app, hr, csv, dryRun: false) { res in
                    #expect(res.status == status, "\(res.body.string)")
                    #expect(res.body.string.contains(mention), "\(res.body.string)")
                }
            }
            let rows = try await EvidenceEntry.query(on: app.db).count()
            let imports = try await ImportRecord.query(on: app.db).count()
            #expect(rows == 0 && imports == 0)
            // a misspelt header is not imported and is reported as such
            try await Self.upload(app, hr, Self.csv.replacingOccurrences(of: "quality", with: "qualty"), dryRun: true) { res in
                #expect(res.status == .ok)
                let p = try res.content.decode(ImportService.Preview.self)
                #expect(p.unmapped == ["qualty"] && p.notices.contains { $0.contains("qualty") } && !p.changes.contains { $0.field == "quality" })
            }
            // a team lead may not import his own sheet nor rows of another team
            let (bob, _) = try await Browser.signIn(app, "bob")
            try await Self.upload(app, bob, Self.csv, dryRun: true) { res in
                #expect(res.status == .forbidden && res.body.string.contains("101002"))
            }
            let otherTeam = Self.csv.replacingOccurrences(of: "101002,鲍勃", with: "101003,卡萝")
            try await Self.upload(app, bob, otherTeam, dryRun: true) { res in
                #expect(res.status == .forbidden && res.body.string.contains("101003"))
            }
        }
    }
}
