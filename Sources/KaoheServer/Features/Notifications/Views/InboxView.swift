import Foundation
import Plot

/// `/sheets`'s messages (issue 17 §7): the unread ones — each with 标为已读, and all at once —
/// then the archive: read ones and those whose step was done (marked 已处理).
struct InboxModel {
    var csrf: String
    var unread: [CycleService.InboxDTO]
    var archive: [CycleService.InboxDTO]
}

enum InboxView {
    static func body(_ m: InboxModel) -> Node<HTML.BodyContext> {
        .group(
            .h2(.text("消息（未读 \(m.unread.count)）")),
            .if(m.unread.isEmpty, .p("暂无未读消息")),
            .if(!m.unread.isEmpty, .form(.class("inline"), .method(.post), .action(SiteURL.inboxRead.path), DataView.hidden(m.csrf),
                                         .input(.type(.hidden), .name("all"), .value("1")),
                                         .button(.type(.submit), "全部标为已读"))),
            .ul(.id("inbox-unread"), .forEach(m.unread) { i in
                .li(.text(LocalTime.text(i.createdAt) + " "), message(i),
                    .form(.class("inline"), .method(.post), .action(SiteURL.inboxRead.path), DataView.hidden(m.csrf),
                          .input(.type(.hidden), .name("id"), .value(i.id.uuidString)),
                          .button(.type(.submit), "标为已读")))
            }),
            .if(!m.archive.isEmpty, .h3("已读与已处理")),
            .ul(.id("inbox-archive"), .forEach(m.archive) { i in
                .li(.text(LocalTime.text(i.createdAt) + " "), message(i),
                    .text(i.doneAt.map { "（已处理 \(LocalTime.text($0))）" } ?? "（已读）"))
            })
        )
    }

    static func message(_ i: CycleService.InboxDTO) -> Node<HTML.BodyContext> {
        guard let link = i.link else { return .text(i.text) }
        return .a(.href(HTMLEscape.attribute(link)), .text(i.text))
    }
}
