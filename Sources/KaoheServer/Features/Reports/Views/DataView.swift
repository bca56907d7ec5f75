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
    /// The upload kept server-side (after a preview or a refusal) with its choices.
    struct Kept { var id: UUID; var kind: String; var file: String; var scheme: String?; var source: String?; var period: String?; var sheet: String? }
    var kept: Kept? = nil
    /// The kept file's columns with what each maps to, and the fields they can be mapped to.
    var columns: [ImportService.ColumnDTO] = []
    var fields: [ImportService.FieldDTO] = []
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
            .unwrap(m.kept) { k in choicesBlock(k, m) },
            .h2("导入 Import"),
            .form(.action(SiteURL.imports.path), .method(.post), .enctype(.multipartData),
                  hidden(m.csrf),
                  .label(.text("类型 "), select("kind", kinds.filter { $0.0 != "roster" || m.mayImportRoster }, selected: m.kept?.kind)),
                  .label(.text("方案 "), select("scheme", [("", "—（花名册不需要）")] + m.schemes.map { ($0.key, "\($0.name)（\($0.key)）") }, selected: m.kept?.scheme)),
                  .label(.text("来源（如 千牛聊天记录；其列映射会保存，下月自动对应）"), .input(.type(.text), .name("source"), .value(HTMLEscape.attribute(m.kept?.source ?? "")))),
                  .label(.text("期间（文件没有期间或日期列时）"), .input(.type(.text), .name("period"), .placeholder("2026-10"), .value(HTMLEscape.attribute(m.kept?.period ?? "")))),
                  .label(.text("工作表（XLSX，默认第一个）"), .input(.type(.text), .name("sheet"), .value(HTMLEscape.attribute(m.kept?.sheet ?? "")))),
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

    /// The column choices: rows that need a person stand out; a select fits its cell.
    static let style = """
    table.columns tr.doubtful td{background:var(--warn-bg)}table.columns select{max-width:22rem}
    p.summary{font-size:var(--fs-lg)}table.changes td:last-child{white-space:normal}
    """

    /// Columns that need a person: no match, a unit that does not fit, or a match by an item's name.
    static let doubtful: Set<String> = ["none", "unit", "alias"]

    /// The reader's summary first: people, values new, changed and unchanged, and the problems.
    static func summaryLine(_ p: ImportService.Preview) -> String {
        let open = p.columns.filter { $0.how == "none" || $0.how == "unit" }.count, unsure = p.columns.filter { $0.how == "alias" }.count
        var s = "\(p.people) 人，\(p.created) 个值新增，\(p.updated) 个值变更，\(p.unchanged) 个值不变"
        if open == 0 && unsure == 0 { s += "；没有问题" } else {
            s += "；问题："
            if open > 0 { s += "\(open) 列未对应" }
            if unsure > 0 { s += "\(open > 0 ? "，" : "")\(unsure) 列待确认" }
        }
        return s
    }

    /// One person-period's changed values, by label: `订单总金额 246742.65（新增）；咨询总数 120 → 130`.
    struct PersonChanges { var employee: String; var period: String; var said: String }

    static func byPerson(_ changes: [ImportService.ChangeDTO]) -> [PersonChanges] {
        var order: [String] = [], by: [String: [ImportService.ChangeDTO]] = [:]
        for c in changes {
            let key = c.employee + "\u{1}" + (c.period ?? "")
            if by[key] == nil { order.append(key) }
            by[key, default: []].append(c)
        }
        return order.map { key in
            let cs = by[key]!
            let said = cs.map { c -> String in
                let name = c.label ?? c.field
                return c.status == "new" || c.before == nil ? "\(name) \(c.after ?? "")（新增）" : "\(name) \(c.before ?? "") → \(c.after ?? "")"
            }.joined(separator: "；")
            return PersonChanges(employee: cs[0].employee, period: cs[0].period ?? "", said: said)
        }
    }

    static func changeRows<C: HTML.BodyContext>(_ rows: [PersonChanges]) -> Node<C> {
        .table(.class("changes"),
            .tr(.th("工号"), .th("期间"), .th("变化的值")),
            .forEach(rows) { r in .tr(.td(.text(r.employee)), .td(.text(r.period)), .td(.text(r.said))) })
    }

    static func previewBlock(_ p: ImportService.Preview, _ m: DataModel) -> Node<HTML.BodyContext> {
        let rows = byPerson(p.changes)
        let shown = 30
        return .group(
            .h2(.text(p.committed ? "已导入 Imported" : "预览 Preview（尚未写入 nothing written yet）")),
            .p(.class("summary"), .attribute(named: "role", value: "status"), .strong(.text(summaryLine(p)))),
            .p(.text("\(p.file)\(p.sheet.map { " · 工作表 \($0)" } ?? "")：\(p.rows) 行；新增 \(p.created)、更新 \(p.updated)、不变 \(p.unchanged)；期间 \(p.periods.joined(separator: ", "))")),
            .unwrap(p.sameFileImportedAt) { d in .p(.class("demo"), .text("同一文件已于 \(LocalTime.text(d)) 导入过；再次导入不会改变任何数据。")) },
            .if(!p.notices.isEmpty, .ul(.class("notices"), .forEach(p.notices) { .li(.text($0)) })),
            .if(!rows.isEmpty, changeRows(Array(rows.prefix(shown)))),
            .if(rows.count > shown, .details(.summary(.text("其余 \(rows.count - shown) 人的变化")), changeRows(Array(rows.dropFirst(shown))))),
            .if(p.created + p.updated > p.changes.count, .p(.class("empty"), .text("只列出前 \(p.changes.count) 个值"))),
            // without a kept upload (never from this page now) the plain commit form
            .if(m.kept == nil, .unwrap(m.uploadId) { id in
                .form(.action(SiteURL.importCommit.path), .method(.post), hidden(m.csrf), .input(.type(.hidden), .name("upload"), .value(id.uuidString)),
                      .button(.type(.submit), "确认导入 Commit（全部或全不）"))
            })
        )
    }

    /// Groups of the field choices, in the order they are offered.
    static let groups: [(String, String)] = [("metric", "指标"), ("event", "事件与次数"), ("mark", "评分人填写"), ("identity", "身份与期间列")]

    static func groupName(_ group: String) -> String {
        switch group {
        case "metric": return "指标"
        case "event": return "事件"
        case "mark": return "评分项"
        default: return "列"
        }
    }

    /// Why a column maps as it does, in words.
    static func explanation(_ c: ImportService.ColumnDTO, _ m: DataModel) -> String {
        let field = m.fields.first { $0.id == (c.field ?? c.refused) }
        let label = field?.label ?? c.field ?? c.refused ?? ""
        switch c.how {
        case "chosen": return c.field == nil ? "按你的选择：忽略" : "按你的选择"
        case "saved": return c.field == nil ? "按来源「\(m.kept?.source ?? "")」上次的选择：忽略" : "按来源「\(m.kept?.source ?? "")」上次保存的选择"
        case "id": return "按表头「\(c.header)」与字段编号「\(c.field ?? "")」相同匹配"
        case "label": return "按表头「\(c.header)」与\(groupName(field?.group ?? ""))「\(label)」相同匹配"
        case "alias": return "表头「\(c.header)」与考核项目的名称相同，对应到指标「\(label)」，请确认"
        case "unit": return "表头「\(c.header)」的单位与「\(label)」不符，未匹配"
        default: return "未找到匹配"
        }
    }

    /// A column's choice: ignore, or a field of the scheme by label, grouped.
    /// An unmatched column (`undecided`) starts at 「请选择」, so that 忽略 is a choice a person makes.
    static func fieldSelect(_ name: String, _ fields: [ImportService.FieldDTO], selected: String, undecided: Bool = false) -> Node<HTML.BodyContext> {
        func option(_ value: String, _ text: String, disabled: Bool = false) -> Node<HTML.BodyContext> {
            .element(named: "option", nodes: [.attribute(named: "value", value: HTMLEscape.attribute(value), ignoreIfValueIsEmpty: false),
                                              !disabled && value == selected ? .attribute(named: "selected", value: "selected") : .empty,
                                              disabled ? .attribute(named: "disabled", value: "disabled") : .empty, .text(text)])
        }
        var nodes: [Node<HTML.BodyContext>] = [.attribute(named: "name", value: name)]
        if undecided { nodes.append(option("", "— 请选择 —")) }
        nodes.append(option(ColumnMap.ignore, "忽略（不导入）"))
        for (group, title) in groups {
            let fs = fields.filter { $0.group == group }
            guard !fs.isEmpty else { continue }
            nodes.append(option("", "— \(title) —", disabled: true))
            nodes += fs.map { option($0.id, $0.label) }
        }
        return .element(named: "select", nodes: nodes)
    }

    static func columnRow(_ k: Int, _ c: ImportService.ColumnDTO, _ m: DataModel) -> Node<HTML.TableContext> {
        // a column nothing matched proposes nothing: 「请选择」 until a person picks a field or 忽略
        let undecided = c.field == nil && (c.how == "none" || c.how == "unit")
        let proposed = undecided ? "" : c.field ?? ColumnMap.ignore
        return .tr(.class(doubtful.contains(c.how) ? "doubtful" : "matched"),
                   .td(.attribute(named: "translate", value: "no"), .text(c.header)),
                   .td(.input(.type(.hidden), .name("h\(k)"), .value(HTMLEscape.attribute(c.header))),
                       .input(.type(.hidden), .name("p\(k)"), .value(HTMLEscape.attribute(proposed))),
                       m.fields.isEmpty ? Node<HTML.BodyContext>.text(c.field.flatMap { id in m.fields.first { $0.id == id }?.label } ?? c.field ?? "忽略")
                                        : fieldSelect("f\(k)", m.fields, selected: proposed, undecided: undecided)),
                   .td(.text(explanation(c, m))))
    }

    /// The kept upload: its choices (scheme, source, period, sheet, each column's field) can be
    /// changed and previewed again without choosing the file again; the commit goes from here.
    static func choicesBlock(_ k: DataModel.Kept, _ m: DataModel) -> Node<HTML.BodyContext> {
        let numbered = Array(m.columns.enumerated())
        let open = numbered.filter { doubtful.contains($0.element.how) }, settled = numbered.filter { !doubtful.contains($0.element.how) }
        let head: Node<HTML.TableContext> = .tr(.th("文件的列"), .th("对应到"), .th("依据"))
        return .group(
            .element(named: "style", nodes: [.raw(style)]),
            .h2("列的对应 Columns"),
            .form(.action(SiteURL.importCommit.path), .method(.post), hidden(m.csrf), .input(.type(.hidden), .name("upload"), .value(k.id.uuidString)),
                  .p(.text("文件「\(k.file)」已保留，修改下面的选择后重新预览即可，无需再次选择文件。")),
                  .if(k.kind != "roster", .label(.text("方案 "), select("scheme", m.schemes.map { ($0.key, "\($0.name)（\($0.key)）") }, selected: k.scheme))),
                  .label(.text("来源（列的选择按来源保存，下次自动提出）"), .input(.type(.text), .name("source"), .value(HTMLEscape.attribute(k.source ?? "")))),
                  .label(.text("期间（文件没有期间或日期列时）"), .input(.type(.text), .name("period"), .placeholder("2026-10"), .value(HTMLEscape.attribute(k.period ?? "")))),
                  .label(.text("工作表（XLSX，默认第一个）"), .input(.type(.text), .name("sheet"), .value(HTMLEscape.attribute(k.sheet ?? "")))),
                  .if(!open.isEmpty, .group(
                      .p(.text("需要你选择的列（\(open.count)）")),
                      .table(.class("columns"), head, .forEach(open) { columnRow($0.offset, $0.element, m) }))),
                  .if(!settled.isEmpty, .details(.summary(.text("已对应的列（可修改）：\(settled.count)")),
                      .table(.class("columns"), head, .forEach(settled) { columnRow($0.offset, $0.element, m) }))),
                  .button(.type(.submit), .name("action"), .value("preview"), "按所选重新预览"),
                  .if(m.uploadId != nil && m.error == nil, .button(.type(.submit), .name("action"), .value("commit"), "确认导入 Commit（全部或全不）")))
        )
    }
}
