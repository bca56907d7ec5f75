import Fluent
import Foundation
import KaoheCore
import Plot
import Vapor

enum SchemeView {
    struct Placed { var problem: SchemeProblem; var line: Int? }
    struct Preview { var period: String; var current: SheetResult?; var edited: SheetResult?; var error: String? }

    static func editor(key: String, version: Int, versions: [(Int, Date?)], text: String, problems: [Placed], checked: Bool, reason: String,
                       samples: [(String, String)], preview: Preview?, message: String?, csrf: String) -> Node<HTML.BodyContext> {
        let errors = problems.filter { $0.problem.severity == .error }.count
        // the attainable maximum (an info) is not a warning
        let warnings = problems.filter { $0.problem.severity == .warning }.count, infos = problems.filter { $0.problem.severity == .info }.count
        let byLine = Dictionary(grouping: problems.filter { $0.line != nil }, by: { $0.line! })
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return .group(
            .unwrap(message) { .p(.class(errors > 0 ? "error" : "demo"), .attribute(named: "role", value: "status"), .text($0)) },
            .p(.text("\(key) · 当前版本 \(version) · 版本数 \(versions.count)"), .text(" · "),
               .a(.href(HTMLEscape.attribute(SiteURL.schemeBuilder(key).path)), "可视编辑")),
            .p(.class(errors > 0 ? "error" : ""), .text(errors == 0 && warnings == 0 ? "校验通过，没有错误或警告" + (infos > 0 ? "；提示 \(infos) 条" : "") : "错误 \(errors) 个，警告 \(warnings) 个")),
            .if(!problems.isEmpty, .ul(.class("problems"), .forEach(problems) { p in
                .li(.class(p.problem.severity == .error ? "error" : ""),
                    .unwrap(p.line) { .a(.href("#L\($0)"), .span("行号"), .text(" \($0) ")) },
                    .code(.text(p.problem.path)), .text("：" + (p.problem.severity == .error ? "错误" : p.problem.severity == .warning ? "警告" : "提示") + " "), .text(p.problem.message),
                    .if(!p.problem.rules.isEmpty, .text("（\(p.problem.rules.joined(separator: "、"))）")))
            })),
            .form(.method(.post), .action(HTMLEscape.attribute(SiteURL.scheme(key).path)), DataView.hidden(csrf),
                  .label(.text("方案（YAML）"),
                         .textarea(.name("text"), .attribute(named: "rows", value: "24"), .attribute(named: "spellcheck", value: "false"), .class("code"), .text(text))),
                  .label(.text("预览用的员工 "), DataView.select("sample", samples, selected: nil)),
                  .label(.text("修改原因（保存时必填）"), .input(.type(.text), .name("reason"), .value(HTMLEscape.attribute(reason)))),
                  .button(.type(.submit), .name("action"), .value("check"), "校验"),
                  .button(.type(.submit), .name("action"), .value("preview"), "校验并预览"),
                  .button(.type(.submit), .name("action"), .value("save"), "保存为新版本")),
            .unwrap(preview) { p in
                .section(.h2(.text("预览：\(p.period)")),
                         .unwrap(p.error) { .p(.class("error"), .text($0)) },
                         .if(p.current != nil || p.edited != nil, .table(
                            .tr(.th("项目"), .th("现行版本"), .th("修改后"), .th("修改后的依据与计算")),
                            .forEach(previewRows(p)) { r in
                                .tr(.class(r.1 == r.2 ? "" : "changed"), .td(.text(r.0)), .td(.class("num"), .text(r.1)), .td(.class("num"), .text(r.2)), .td(.text(r.3)))
                            })))
            },
            .if(checked && !problems.isEmpty, .section(.h2("问题所在"),
                .element(named: "pre", nodes: [.class("listing"), .attribute(named: "translate", value: "no")] + lines.enumerated().map { k, line -> Node<HTML.BodyContext> in
                    let n = k + 1
                    guard let here = byLine[n] else { return .text("\(pad(n)) \(line)\n") }
                    return .group(.span(.id("L\(n)"), .class("bad"), .text("\(pad(n)) \(line)\n")),
                                  .forEach(here) { p in .span(.class("error"), .text("     ↑ \(p.problem.path)：\(p.problem.message)\n")) })
                })))
        )
    }

    static func pad(_ n: Int) -> String { String(repeating: " ", count: max(0, 4 - String(n).count)) + String(n) }

    /// Item by item: label, points now, points edited, the edited explanation; then the total.
    static func previewRows(_ p: Preview) -> [(String, String, String, String)] {
        var out: [(String, String, String, String)] = []
        let now = Dictionary((p.current?.items ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for it in p.edited?.items ?? [] {
            out.append((it.label, now[it.id]?.points?.format() ?? "—", it.points?.format() ?? "—", it.explanation))
        }
        out.append(("总分", p.current?.total.format() ?? "—", p.edited?.total.format() ?? "—", p.edited?.grade.map { "等级 \($0)" } ?? ""))
        return out
    }
}
