import Fluent
import Foundation
import KaoheCore
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

/// The browser path of issue 5: upload a file, read the preview, commit, revert, download a form.
@Suite("Import/export page: upload → preview → commit → revert; downloads", .serialized)
struct DataPageTests {
    static func multipart(_ fields: [(String, String)], file: (name: String, data: Data)) -> (ByteBuffer, HTTPMediaType) {
        let boundary = "----kaohe\(UUID().uuidString.prefix(8))"
        var body = Data()
        for (k, v) in fields {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8)
        }
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"\r\nContent-Type: text/csv\r\n\r\n".utf8)
        body += file.data + Data("\r\n--\(boundary)--\r\n".utf8)
        return (ByteBuffer(data: body), HTTPMediaType(type: "multipart", subType: "form-data", parameters: ["boundary": boundary]))
    }

    @Test("HR uploads a GB18030 CSV, sees the preview, commits, reverts; downloads a form")
    func uploadPreviewCommitRevert() async throws {
        try await withKaohe { app, org in
            _ = try await EvidenceTests.preset(app, "weighted-template")
            var (hr, _) = try await Browser.signIn(app, "hr")
            try await app.testing().test(.GET, "imports", headers: hr.headers) { res in
                #expect(res.status == .ok && res.body.string.contains("enctype=\"multipart/form-data\"") && res.body.string.contains("花名册"))
                hr.remember(res)
            }
            let gb = try #require(ImportTests.csv.data(using: TextInput.gb18030))
            let (body, type) = Self.multipart([("_csrf", hr.csrf), ("kind", "evidence"), ("scheme", "weighted-template"), ("source", ""), ("period", ""), ("sheet", "")],
                                              file: ("十月指标.csv", gb))
            var h = hr.headers
            h.contentType = type
            var upload = ""
            try await app.testing().test(.POST, "imports", headers: h, body: body) { res in
                let html = res.body.string
                #expect(res.status == .ok, "\(html)")
                #expect(html.contains("预览") && html.contains("新增 10") && html.contains("GB18030") && html.contains("十月指标.csv"))
                if let r = html.range(of: "name=\"upload\" value=\"") { upload = String(html[r.upperBound...].prefix(36)) }
            }
            #expect(try await EvidenceEntry.query(on: app.db).count() == 0)
            var form = HTTPHeaders(hr.headers.map { ($0.name, $0.value) })
            form.contentType = .urlEncodedForm
            try await app.testing().test(.POST, "imports/commit", headers: form, body: ByteBuffer(string: "_csrf=\(hr.csrf.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&upload=\(upload)")) { res in
                #expect(res.status == .ok && res.body.string.contains("已导入"), "\(res.body.string)")
            }
            #expect(try await EvidenceEntry.query(on: app.db).count() == 10)
            #expect(try await ImportUpload.query(on: app.db).count() == 0)
            let batch = try #require(try await ImportRecord.query(on: app.db).first())
            try await app.testing().test(.POST, "imports/\(batch.id!)/revert", headers: form,
                                         body: ByteBuffer(string: "_csrf=\(hr.csrf.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&reason=%E5%AF%BC%E9%94%99")) { res in
                #expect(res.status == .ok && res.body.string.contains("已撤销"), "\(res.body.string)")
            }
            #expect(try await EvidenceEntry.query(on: app.db).count() == 0)
            // a bad file: the error is shown on the page, nothing stored
            let bad = Self.multipart([("_csrf", hr.csrf), ("kind", "evidence"), ("scheme", "weighted-template")],
                                     file: ("bad.csv", Data(ImportTests.csv.replacingOccurrences(of: "85,45,14", with: "85,abc,14").utf8)))
            h.contentType = bad.1
            try await app.testing().test(.POST, "imports", headers: h, body: bad.0) { res in
                #expect(res.status == .unprocessableEntity && res.body.string.contains("第 3 行") && res.body.string.contains("role=\"alert\""))
                // the file is kept with its choices so that it need not be chosen again (issue 16 §3)
                #expect(res.body.string.contains("文件「bad.csv」已保留"))
            }
            #expect(try await ImportUpload.query(on: app.db).count() == 1)
            #expect(try await EvidenceEntry.query(on: app.db).count() == 0)
            try await app.testing().test(.GET, "exports/download?form=results&period=2026-10&department=&format=csv", headers: hr.headers) { res in
                #expect(res.status == .ok && res.headers.contentType?.subType == "csv" && res.body.string.contains("101001"))
            }
            _ = org
        }
    }

    @Test("agents and QA have no import page; a commit needs the same user's upload and the form token")
    func access() async throws {
        try await withKaohe { app, _ in
            let (alice, _) = try await Browser.signIn(app, "alice")
            try await app.testing().test(.GET, "imports", headers: alice.headers) { res in #expect(res.status == .forbidden) }
            let (hr, _) = try await Browser.signIn(app, "hr")
            var form = hr.headers
            form.contentType = .urlEncodedForm
            try await app.testing().test(.POST, "imports/commit", headers: form, body: ByteBuffer(string: "upload=\(UUID())")) { res in
                #expect(res.status == .forbidden)
            }
        }
    }
}
