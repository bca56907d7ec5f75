import Foundation
import KaoheCore
import Plot

/// HR's import and export page (issue 5): upload → preview (what would change, every notice,
/// the column mapping) → commit; recent imports with revert; the forms to download.
struct DataModel {
    struct Recent { var id: UUID; var at: String; var kind: String; var file: String; var counts: String; var status: String; var revertible: Bool }
    var csrf: String
    var schemes: [(key: String, name: String)]
    var recent: [Recent]
    var preview: ImportService.Preview?
    var uploadId: UUID?
    var message: String?
    var error: String?
    var period: String
    var departments: [(code: String, name: String)]
    var mayImportRoster: Bool
}

enum DataView {
    static let kinds: [(String, String)] = [("evidence", "指标与评分（每人每期一行）"), ("log", "交互日志（每次咨询/通话/订单一行，汇总为指标）"),
                                            ("events", "事件（扣分、表扬、投诉、考勤、质检，每件一行）"), ("roster", "花名册（人事）")]
    /// The forms to download, under the names the exported files carry (Core's `Forms.Kind.title`).
    static let forms: [(String, String)] = Forms.Kind.allCases.map { ($0.rawValue, $0.title) }

    /// `<select>` with options (Plot's own select takes no name and its options no text). The
    /// values are often data (a department's code, a scheme's key): escaped (`HTMLEscape`).
    static func select<C>(_ name: String, _ options: [(String, String)], selected: String? = nil) -> Node<C> {
        .element(named: "select", nodes: [.attribute(named: "name", value: HTMLEscape.attribute(name))] + options.map { o in
            Node<C>.element(named: "option", nodes: [.attribute(named: "value", value: HTMLEscape.attribute(o.0), ignoreIfValueIsEmpty: false),
                                                     o.0 == selected ? .attribute(named: "selected", value: "selected") : .empty, .text(o.1)])
        })
    }

    static func hidden(_ csrf: String) -> Node<HTML.FormContext> { .input(.type(.hidden), .name("_csrf"), .value(HTMLEscape.attribute(csrf))) }

    static func body(_ m: DataModel) -> Node<HTML.BodyContext> {
        .group(
            .unwrap(m.error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(m.message) { .p(.class("demo"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(m.preview) { p in previewBlock(p, m) },
            .h2("导入 Import"),
            .form(.action(SiteURL.imports.path), .method(.post), .enctype(.multipartData),
                  hidden(m.csrf),
                  .label(.text("类型 "), select("kind", kinds.filter { $0.0 != "roster" || m.mayImportRoster })),
                  .label(.text("方案 "), select("scheme", [("", "—（花名册不需要）")] + m.schemes.map { ($0.key, "\($0.name)（\($0.key)）") })),
                  .label(.text("来源（如 千牛聊天记录；其列映射会保存，下月自动对应）"), .input(.type(.text), .name("source"))),
                  .label(.text("期间（文件没有期间或日期列时）"), .input(.type(.text), .name("period"), .placeholder("2026-10"))),
                  .label(.text("工作表（XLSX，默认第一个）"), .input(.type(.text), .name("sheet"))),
                  .label(.text("文件（CSV：UTF-8 或 GB18030；或 XLSX）"), .input(.type(.file), .name("file"), .required(true),
                                                                        .attribute(named: "accept", value: ".csv,.txt,.xlsx"))),
                  .button(.type(.submit), "预览 Preview")),
            .h2("最近的导入"),
            .if(m.recent.isEmpty, .p(.class("empty"), "暂无 none yet")),
            .if(!m.recent.isEmpty, .table(
                .tr(.th("时间"), .th("类型"), .th("文件"), .th("新增/更新/不变"), .th("状态"), .th("撤销")),
                .forEach(m.recent) { r in
                    .tr(.td(.text(r.at)), .td(.text(r.kind)), .td(.text(r.file)), .td(.class("num"), .text(r.counts)), .td(.text(r.status)),
                        .td(.if(r.revertible, .form(.class("inline"), .action(SiteURL.importRevert(r.id).path), .method(.post), hidden(m.csrf),
                                                    .input(.type(.text), .name("reason"), .placeholder("原因 reason"), .required(true)),
                                                    .button(.type(.submit), "撤销整次导入")))))
                }
            )),
            .h2("导出报表 Export"),
            .form(.action(SiteURL.exportDownload.path), .method(.get),
                  .label(.text("报表 "), select("form", forms)),
                  .label(.text("期间（月度报表 YYYY-MM；年度报表 YYYY）"), .input(.type(.text), .name("period"), .value(HTMLEscape.attribute(m.period)))),
                  .label(.text("部门 "), select("department", [("", "全公司 / 本部门")] + m.departments.map { ($0.code, "\($0.code) \($0.name)") })),
                  .label(.text("格式 "), select("format", [("xlsx", "Excel (XLSX)"), ("csv", "CSV")])),
                  .button(.type(.submit), "下载 Download"))
        )
    }

    static func previewBlock(_ p: ImportService.Preview, _ m: DataModel) -> Node<HTML.BodyContext> {
        .group(
            .h2(.text(p.committed ? "已导入 Imported" : "预览 Preview（尚未写入 nothing written yet）")),
            .p(.text("\(p.file)\(p.sheet.map { " · 工作表 \($0)" } ?? "")：\(p.rows) 行；新增 \(p.created)、更新 \(p.updated)、不变 \(p.unchanged)；期间 \(p.periods.joined(separator: ", "))")),
            .unwrap(p.sameFileImportedAt) { d in .p(.class("demo"), .text("同一文件已于 \(LocalTime.text(d)) 导入过；再次导入不会改变任何数据。")) },
            .if(!p.notices.isEmpty, .ul(.forEach(p.notices) { .li(.text($0)) })),
            .if(!p.mapping.isEmpty, .details(.summary("列的对应 column mapping"),
                .table(.tr(.th("文件的列"), .th("字段"), .th("依据")), .forEach(p.mapping) { .tr(.td(.text($0.header)), .td(.text($0.field)), .td(.text($0.how))) }))),
            .if(!p.unmapped.isEmpty, .p(.class("error"), .text("未导入的列 not imported: \(p.unmapped.joined(separator: ", "))"))),
            .if(!p.changes.isEmpty, .table(
                .tr(.th("行"), .th("工号"), .th("期间"), .th("字段"), .th("原值"), .th("新值"), .th("")),
                .forEach(p.changes.prefix(200)) { c in
                    .tr(.td(.class("num"), .text(String(c.row))), .td(.text(c.employee)), .td(.text(c.period ?? "")), .td(.text(c.field)),
                        .td(.text(c.before ?? "")), .td(.text(c.after ?? "")), .td(.text(c.status == "new" ? "新增" : "更新")))
                })),
            .unwrap(m.uploadId) { id in
                .form(.action(SiteURL.importCommit.path), .method(.post), hidden(m.csrf), .input(.type(.hidden), .name("upload"), .value(id.uuidString)),
                      .button(.type(.submit), "确认导入 Commit（全部或全不）"))
            }
        )
    }
}
