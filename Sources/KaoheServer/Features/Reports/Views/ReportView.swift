import Foundation
import KaoheCore
import Plot

/// A report page (issue 7 §4): the sheets of a form as tables that print on A4 (landscape), with
/// the downloads above them and, for the forms with a record per person, a page of people.
struct ReportModel {
    /// A column of a sheet: whether its cells are names people gave (a person, a department, a
    /// team), left untranslated, is the form's to say (`XLSXWriter.Sheet.nameColumns`).
    struct Column { var title: String; var translatable: Bool }
    struct Sheet { var name: String; var columns: [Column]; var rows: [[XLSXWriter.Cell]] }
    /// The downloads' addresses, escaped for an `href` (the query is the reader's).
    var xlsx: String
    var csv: String
    /// The form to print (one A4 page per person for the monthly record) and as PDF, escaped.
    var print: String
    var pdf: String
    /// People in the report (forms with a page of people), the page asked for and the pages.
    var people: Int
    var page: Int
    var pages: Int
    /// The previous and next page's addresses, escaped for an `href`.
    var previous: String
    var next: String
    var sheets: [Sheet]
}

enum ReportView {
    static func body(_ m: ReportModel) -> Node<HTML.BodyContext> {
        let sheets = m.sheets, page = m.page, pages = m.pages
        return .group(
            .p(.class("downloads"), .a(.href(m.xlsx), "下载 Excel (XLSX)"), .text("　"),
               .a(.href(m.csv), "下载 CSV"), .text("　"), .a(.href(m.print), "打印版"), .text("　"), .a(.href(m.pdf), "下载 PDF")),
            .if(pages > 1, .p(.class("downloads"), .text("人数 \(m.people) · 页码 \(min(page, pages))/\(pages) "),
                              .if(page > 1, .a(.href(m.previous), "上一页")), .text(" "), .if(page < pages, .a(.href(m.next), "下一页")))),
            .forEach(sheets) { s in
                // names people gave (a person, a department, a team): never translated
                let names = Set(s.columns.indices.filter { !s.columns[$0].translatable })
                return .group(
                    .if(sheets.count > 1, .h2(.text(s.name))),
                    .table(
                        .tr(.forEach(s.columns) { .th(.text($0.title)) }),
                        .forEach(s.rows) { row in
                            .tr(.forEach(Array(row.enumerated())) { k, cell in
                                switch cell {
                                case .number(let t): return .td(.class("num"), .text(t))
                                case .text(let t) where names.contains(k): return .td(.attribute(named: "translate", value: "no"), .text(t))
                                case .text(let t), .date(let t): return .td(.text(t))
                                case .empty: return .td()
                                }
                            })
                        }
                    ),
                    .if(s.rows.isEmpty, .p("本期没有数据 no data for this period"))
                )
            }
        )
    }
}
