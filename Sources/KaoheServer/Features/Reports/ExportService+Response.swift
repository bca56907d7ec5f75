import Fluent
import Foundation
import KaoheCore
import Vapor

extension ExportService {
    /// The file for `form` with the request's period, department, scheme and format.
    static func respond(_ req: Request, form f: String) async throws -> Response {
        let user = try req.user
        guard let form = ExportService.Form(rawValue: f) else {
            throw KaoheError.notFound("没有这个报表；可选：\(ExportService.Form.allCases.map(\.rawValue).joined(separator: ", "))", en: "no such form; allowed: \(ExportService.Form.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let o = ExportService.Options(form: form, period: req.query[String.self, at: "period"], department: req.query[String.self, at: "department"].flatMap { $0.isEmpty ? nil : $0 },
                                      scheme: req.query[String.self, at: "scheme"])
        let format = req.query[String.self, at: "format"] ?? "xlsx"
        let (title, sheets) = try await ExportService.build(o, viewer: user.viewer, on: req.db)
        let (data, type) = try ExportService.render(sheets, format: format)
        try await Audit.record(on: req.db, actor: user, action: "export", entity: "form", id: form.rawValue,
                               after: "period=\(o.period ?? "") department=\(o.department ?? "") format=\(format) rows=\(sheets.map(\.rows.count).reduce(0, +))")
        let res = Response(status: .ok, body: .init(data: data))
        res.headers.replaceOrAdd(name: .contentType, value: type)
        let name = "\(title).\(format)"
        let ascii = "\(form.rawValue)-\(o.period ?? "all").\(format)"
        res.headers.replaceOrAdd(name: .contentDisposition,
                                 value: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ascii)")
        return res
    }
}
