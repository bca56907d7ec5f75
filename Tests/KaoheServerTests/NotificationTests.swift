import Fluent
import Foundation
import KaoheCore
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
import Vapor
import VaporTesting
@testable import KaoheDemo
@testable import KaoheServer

// Issue 17 §7: notices that reach people. Inbox messages clear when what they asked is done;
// reminders and publication notices go out by e-mail (SMTP) and to 企业微信 / 钉钉 / 飞书 robots
// through the outbox, which retries with back-off and marks failures for HR. The receivers are
// in this process on 127.0.0.1: a small SMTP sink and an HTTP sink, both on SwiftNIO.

/// What a sink received, in order.
actor Received<T: Sendable> {
    private var items: [T] = []
    func add(_ t: T) { items.append(t) }
    func all() -> [T] { items }
}

/// An SMTP server that accepts every message (EHLO with AUTH PLAIN/LOGIN, no STARTTLS) and keeps
/// the envelope, the credentials used and the message as it arrived. One connection at a time.
final class SMTPSink: Sendable {
    struct Mail: Sendable { var from: String; var to: [String]; var auth: String?; var data: String }
    let received: Received<Mail>
    let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let task: Task<Void, Never>

    var port: Int { server.channel.localAddress?.port ?? 0 }

    init() async throws {
        let received = Received<Mail>()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { ch in
                ch.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: ch) }
            }
        self.received = received
        self.server = server
        task = Task {
            _ = try? await server.executeThenClose { inbound in
                for try await conn in inbound { try? await SMTPSink.serve(conn, received) }
            }
        }
    }

    func stop() async {
        try? await server.channel.close().get()
        await task.value
    }

    static func serve(_ conn: NIOAsyncChannel<ByteBuffer, ByteBuffer>, _ received: Received<Mail>) async throws {
        try await conn.executeThenClose { inbound, outbound in
            func say(_ s: String) async throws { try await outbound.write(ByteBuffer(string: s + "\r\n")) }
            func decode(_ b64: String) -> String { String(decoding: Data(base64Encoded: b64) ?? Data(), as: UTF8.self) }
            func address(_ line: String) -> String {
                guard let a = line.firstIndex(of: "<"), let b = line.lastIndex(of: ">"), a < b else { return "" }
                return String(line[line.index(after: a)..<b])
            }
            try await say("220 sink.test ESMTP")
            var pending: [UInt8] = []
            var from = "", to: [String] = [], auth: String?
            var inData = false, data: [UInt8] = []
            var login = 0, loginUser = ""
            for try await chunk in inbound {
                pending.append(contentsOf: chunk.readableBytesView)
                while let i = pending.firstIndex(of: 10) {
                    var bytes = Array(pending[..<i])
                    pending.removeFirst(i + 1)
                    if bytes.last == 13 { bytes.removeLast() }
                    let line = String(decoding: bytes, as: UTF8.self)
                    if inData {
                        if line == "." {
                            inData = false
                            await received.add(Mail(from: from, to: to, auth: auth, data: String(decoding: data, as: UTF8.self)))
                            data = []; to = []
                            try await say("250 2.0.0 queued")
                        } else {
                            data.append(contentsOf: (line.hasPrefix("..") ? Array(bytes.dropFirst()) : bytes) + [13, 10])
                        }
                        continue
                    }
                    if login == 1 { loginUser = decode(line); login = 2; try await say("334 UGFzc3dvcmQ6"); continue }
                    if login == 2 { auth = "\(loginUser):\(decode(line))"; login = 0; try await say("235 2.7.0 accepted"); continue }
                    let upper = line.uppercased()
                    if upper.hasPrefix("EHLO") {
                        try await say("250-sink.test"); try await say("250-AUTH PLAIN LOGIN"); try await say("250 8BITMIME")
                    } else if upper.hasPrefix("AUTH PLAIN ") {
                        let parts = decode(String(line.dropFirst(11))).split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
                        auth = parts.count == 3 ? "\(parts[1]):\(parts[2])" : "?"
                        try await say("235 2.7.0 accepted")
                    } else if upper == "AUTH LOGIN" {
                        login = 1; try await say("334 VXNlcm5hbWU6")
                    } else if upper.hasPrefix("MAIL FROM:") {
                        from = address(line); try await say("250 2.1.0 ok")
                    } else if upper.hasPrefix("RCPT TO:") {
                        to.append(address(line)); try await say("250 2.1.5 ok")
                    } else if upper == "DATA" {
                        inData = true; try await say("354 end with <CRLF>.<CRLF>")
                    } else if upper == "QUIT" {
                        try await say("221 2.0.0 bye"); return
                    } else if upper == "RSET" || upper == "NOOP" {
                        try await say("250 ok")
                    } else {
                        try await say("502 5.5.2 not recognized")
                    }
                }
            }
        }
    }

    /// A received message read as a mail reader reads it: headers unfolded, the subject's
    /// encoded words decoded, the base64 body decoded.
    struct Read { var subject: String; var body: String; var headers: [String: String] }

    static func read(_ m: Mail) -> Read {
        let parts = m.data.components(separatedBy: "\r\n\r\n")
        let head = (parts.first ?? "").replacingOccurrences(of: "\r\n ", with: " ")
        var headers: [String: String] = [:]
        for line in head.components(separatedBy: "\r\n") {
            guard let c = line.firstIndex(of: ":") else { continue }
            headers[line[..<c].lowercased()] = line[line.index(after: c)...].trimmingCharacters(in: .whitespaces)
        }
        let raw = parts.dropFirst().joined(separator: "\r\n\r\n").replacingOccurrences(of: "\r\n", with: "")
        let body = String(decoding: Data(base64Encoded: raw) ?? Data(), as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        return Read(subject: decodeWords(headers["subject"] ?? ""), body: body, headers: headers)
    }

    /// RFC 2047: the B-encoded words of a header, decoded and joined (the spaces between them dropped).
    static func decodeWords(_ s: String) -> String {
        var out = Data()
        var found = false
        for m in s.matches(of: #/=\?UTF-8\?B\?([A-Za-z0-9+\/=]+)\?=/#) {
            found = true
            out.append(Data(base64Encoded: String(m.1)) ?? Data())
        }
        return found ? String(decoding: out, as: UTF8.self) : s
    }
}

/// An HTTP server that answers every request 200 with a body each robot platform reads as
/// success (`errcode` 0 for 企业微信 and 钉钉, `code` 0 for 飞书), and keeps the request line and body.
final class HTTPSink: Sendable {
    struct Hit: Sendable { var uri: String; var body: String }
    let received: Received<Hit>
    let server: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    private let task: Task<Void, Never>

    var port: Int { server.channel.localAddress?.port ?? 0 }

    init() async throws {
        let received = Received<Hit>()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: ch)
                }
            }
        self.received = received
        self.server = server
        task = Task {
            _ = try? await server.executeThenClose { inbound in
                for try await conn in inbound { try? await HTTPSink.serve(conn, received) }
            }
        }
    }

    func stop() async {
        try? await server.channel.close().get()
        await task.value
    }

    static func serve(_ conn: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, _ received: Received<Hit>) async throws {
        try await conn.executeThenClose { inbound, outbound in
            var uri = "", body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let h):
                    uri = h.uri; body = []
                case .body(let b):
                    body.append(contentsOf: b.readableBytesView)
                case .end:
                    await received.add(Hit(uri: uri, body: String(decoding: body, as: UTF8.self)))
                    let reply = ByteBuffer(string: #"{"code":0,"errcode":0,"errmsg":"ok","msg":"success"}"#)
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Type", value: "application/json")
                    headers.add(name: "Content-Length", value: "\(reply.readableBytes)")
                    headers.add(name: "Connection", value: "close")
                    try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)))
                    try await outbound.write(.body(.byteBuffer(reply)))
                    try await outbound.write(.end(nil))
                    return
                }
            }
        }
    }
}

/// A port on 127.0.0.1 where nothing listens (bound, then closed): connections are refused.
func closedPort() async throws -> Int {
    let ch = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
    let port = ch.localAddress?.port ?? 1
    try await ch.close().get()
    return port
}

@Suite("Notices that reach people (issue 17 §7)", .serialized)
struct NotificationTests {
    typealias Flow = CycleFlowTests

    static func form(_ app: Application, _ b: Browser, _ path: String, _ fields: [(String, String)]) async throws -> TestingHTTPResponse {
        try await b.post(app, path, fields)
    }

    static func get(_ app: Application, _ b: Browser, _ path: String) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.GET, path, headers: b.headers)
    }

    /// The part of a page between `start` and the next `end`.
    static func section(_ html: String, _ start: String, _ end: String = "</ul>") -> String {
        guard let a = html.range(of: start) else { return "" }
        let rest = html[a.upperBound...]
        return String(rest[..<(rest.range(of: end)?.lowerBound ?? rest.endIndex)])
    }

    static func inbox(_ app: Application, _ b: Browser) async throws -> [CycleService.InboxDTO] {
        var out: [CycleService.InboxDTO] = []
        try await Flow.json(app, b, .GET, "api/v1/inbox") { res in
            #expect(res.status == .ok)
            out = try Flow.decode([CycleService.InboxDTO].self, res)
        }
        return out
    }

    /// 客服一部's October on online-shop-cs, opened on 28 October: alice reports to bob, bob and
    /// carol to the manager (their sheets reviewed by HR); every sheet starts at self-assessment.
    static func openOctober(_ app: Application, _ org: Org) async throws -> (cycle: UUID, sheets: [UUID: UUID], hr: Browser) {
        let alice = try #require(try await Employee.find(org.alice, on: app.db))
        alice.superiorId = org.bob
        try await alice.save(on: app.db)
        _ = try await EvidenceTests.preset(app, "online-shop-cs")
        Flow.today(app, "2026-10-28")
        let (hr, _) = try await Browser.signIn(app, "hr")
        var cycle: CycleService.CycleDTO?
        try await Flow.json(app, hr, .POST, "api/v1/cycles", #"{"scheme":"online-shop-cs","period":"2026-10","department_id":"\#(org.deptA)"}"#) { res in
            #expect(res.status == .created, "\(res.body.string)")
            cycle = try Flow.decode(CycleService.CycleDTO.self, res)
        }
        let c = try #require(cycle)
        let sheets = try await Sheet.query(on: app.db).filter(\.$cycle.$id == c.id).all()
        return (c.id, Dictionary(uniqueKeysWithValues: sheets.map { ($0.$employee.id, $0.id!) }), hr)
    }

    static let marks = ["report_timeliness.manager": "5", "report_truthfulness.manager": "5", "report_quality.manager": "5"]

    /// Every sheet of the October cycle rated and reviewed (ready to publish).
    static func rateAll(_ app: Application, _ org: Org, _ sheets: [UUID: UUID], hr: Browser, includingAlice: Bool = true) async throws {
        let (mgr, _) = try await Browser.signIn(app, "mgr")
        if includingAlice {
            let (bob, _) = try await Browser.signIn(app, "bob")
            let (a, _) = try await Browser.signIn(app, "alice")
            let aliceSheet = try #require(sheets[org.alice])
            var s = try await Flow.sheet(app, a, aliceSheet)
            s = try #require(try await Flow.act(app, a, aliceSheet, "submit_self", version: s.version, values: ["task_completion.self": "80"]))
            s = try #require(try await Flow.act(app, bob, aliceSheet, "submit_rating", version: s.version, values: marks))
            _ = try #require(try await Flow.act(app, mgr, aliceSheet, "approve", version: s.version))
        }
        for (employee, user) in [(org.bob, "bob"), (org.carol, "carol")] {
            let id = try #require(sheets[employee])
            let (emp, _) = try await Browser.signIn(app, user)
            var o = try await Flow.sheet(app, emp, id)
            o = try #require(try await Flow.act(app, emp, id, "submit_self", version: o.version, values: ["task_completion.self": "80"]))
            o = try #require(try await Flow.act(app, mgr, id, "submit_rating", version: o.version, values: marks))
            _ = try #require(try await Flow.act(app, hr, id, "approve", version: o.version))
        }
    }

    // MARK: the inbox

    @Test("each message clears when what it asked is done: self-assessment, rating, a returned sheet, review, a reminder, a published result; 标为已读 for the rest")
    func inboxClears() async throws {
        try await withKaohe { app, org in
            let (cycle, sheets, hr) = try await Self.openOctober(app, org)
            let aliceSheet = try #require(sheets[org.alice])
            var (alice, _) = try await Browser.signIn(app, "alice")

            // alice is asked to assess herself: unread, with its link, on /sheets
            var page = try await Self.get(app, alice, "/sheets")
            alice.remember(page)
            var unread = Self.section(page.body.string, "id=\"inbox-unread\"")
            #expect(page.body.string.contains("消息（未读 1）"))
            #expect(unread.contains("2026-10 考核表待填写") && unread.contains("/sheets/\(aliceSheet)") && unread.contains("标为已读"), "\(unread)")
            // reading the page does not clear it (it did: every visit marked everything read)
            page = try await Self.get(app, alice, "/sheets")
            #expect(Self.section(page.body.string, "id=\"inbox-unread\"").contains("考核表待填写"))

            // she submits: her message is done and moves to the archive, marked 已处理
            var s = try await Flow.sheet(app, alice, aliceSheet)
            s = try #require(try await Flow.act(app, alice, aliceSheet, "submit_self", version: s.version, values: ["task_completion.self": "80"]))
            var items = try await Self.inbox(app, alice)
            #expect(items.count == 1 && items[0].done && items[0].doneAt != nil && !items[0].read)
            page = try await Self.get(app, alice, "/sheets")
            #expect(page.body.string.contains("消息（未读 0）") && page.body.string.contains("暂无未读消息"))
            #expect(Self.section(page.body.string, "id=\"inbox-archive\"").contains("考核表待填写") && page.body.string.contains("（已处理 "))

            // bob is told to rate; on the 31st HR reminds him (and bob and carol of their own self-assessments)
            let (bob, _) = try await Browser.signIn(app, "bob")
            items = try await Self.inbox(app, bob)
            #expect(items.contains { $0.text == "101001 艾丽 2026-10 已自评，请评分" && !$0.done })
            Flow.today(app, "2026-10-31")
            var res = try await Self.form(app, hr, "/cycles/\(cycle)/remind", [])
            #expect(res.status == .ok && res.body.string.contains("已催办 3 人"), "\(res.body.string.prefix(400))")
            items = try await Self.inbox(app, bob)
            #expect(items.filter { $0.text.hasPrefix("催办：") && !$0.done }.count == 2, "\(items.map(\.text))")
            // a second reminder replaces the first of the same stage: still two open, the first two done
            res = try await Self.form(app, hr, "/cycles/\(cycle)/remind", [])
            items = try await Self.inbox(app, bob)
            #expect(items.filter { $0.text.hasPrefix("催办：") && !$0.done }.count == 2 && items.filter { $0.text.hasPrefix("催办：") && $0.done }.count == 2)

            // bob rates: his 请评分 and his rating reminder are done; the self-assessment reminder is not
            s = try await Flow.sheet(app, bob, aliceSheet)
            s = try #require(try await Flow.act(app, bob, aliceSheet, "submit_rating", version: s.version, values: Self.marks))
            items = try await Self.inbox(app, bob)
            #expect(items.first { $0.text.hasSuffix("已自评，请评分") }?.done == true)
            #expect(items.filter { $0.text.contains("“上级评分”") && !$0.done }.isEmpty, "\(items.map { ($0.text, $0.done) })")
            #expect(items.filter { $0.text.contains("“自评”") && !$0.done }.count == 1)

            // the manager returns it: his 请复核 is done; bob is asked again, and resubmitting clears that
            let (mgr, _) = try await Browser.signIn(app, "mgr")
            #expect(try await Self.inbox(app, mgr).contains { $0.text.hasSuffix("已评分，请复核") && !$0.done })
            s = try #require(try await Flow.act(app, mgr, aliceSheet, "return", version: s.version, reason: "报表质量分偏高，请重评"))
            #expect(try await Self.inbox(app, mgr).filter { $0.text.hasSuffix("已评分，请复核") }.allSatisfy(\.done))
            #expect(try await Self.inbox(app, bob).contains { $0.text.hasSuffix("被退回重评") && !$0.done })
            s = try #require(try await Flow.act(app, bob, aliceSheet, "submit_rating", version: s.version, values: Self.marks))
            #expect(try await Self.inbox(app, bob).filter { $0.text.hasSuffix("被退回重评") }.allSatisfy(\.done))
            // the review asked again, done by approving
            #expect(try await Self.inbox(app, mgr).filter { $0.text.hasSuffix("已评分，请复核") && !$0.done }.count == 1)
            _ = try #require(try await Flow.act(app, mgr, aliceSheet, "approve", version: s.version))
            #expect(try await Self.inbox(app, mgr).allSatisfy { !$0.text.hasSuffix("已评分，请复核") || $0.done })

            // the rest of the department, then publication on 2 November: alice is asked to acknowledge
            try await Self.rateAll(app, org, sheets, hr: hr, includingAlice: false)
            Flow.today(app, "2026-11-02")
            res = try await Self.form(app, hr, "/cycles/\(cycle)/publish", [])
            #expect(res.status == .ok && res.body.string.contains("已发布 3 张"), "\(res.body.string.prefix(400))")
            items = try await Self.inbox(app, alice)
            #expect(items.contains { $0.text.hasPrefix("你的 2026-10 考核结果已发布：") && $0.text.hasSuffix("如有异议请在 2026-11-05 前申诉") && !$0.done })
            s = try await Flow.sheet(app, alice, aliceSheet)
            _ = try #require(try await Flow.act(app, alice, aliceSheet, "acknowledge", version: s.version))
            items = try await Self.inbox(app, alice)
            #expect(items.allSatisfy { $0.done }, "\(items.map { ($0.text, $0.done) })")

            // carol marks her (self-assessment) reminder read herself; alice cannot mark carol's
            var (carol, _) = try await Browser.signIn(app, "carol")
            let open = try await Self.inbox(app, carol).filter { !$0.done && !$0.read }
            #expect(!open.isEmpty)
            let first = try #require(open.first)
            res = try await Self.form(app, alice, "/inbox/read", [("id", first.id.uuidString)])
            #expect(res.status == .seeOther)
            #expect(try await Self.inbox(app, carol).first { $0.id == first.id }?.read == false)
            page = try await Self.get(app, carol, "/sheets")
            carol.remember(page)
            res = try await Self.form(app, carol, "/inbox/read", [("id", first.id.uuidString)])
            #expect(res.status == .seeOther && res.headers.first(name: .location) == "/sheets")
            #expect(try await Self.inbox(app, carol).first { $0.id == first.id }?.read == true)
            page = try await Self.get(app, carol, "/sheets")
            #expect(!Self.section(page.body.string, "id=\"inbox-unread\"").contains(first.id.uuidString))
            #expect(Self.section(page.body.string, "id=\"inbox-archive\"").contains("（已读）"))
            // 全部标为已读: nothing unread is left
            res = try await Self.form(app, carol, "/inbox/read", [("all", "1")])
            #expect(try await Self.inbox(app, carol).allSatisfy { $0.read || $0.done })
            // no id at all is a bad request naming the field
            res = try await Self.form(app, carol, "/inbox/read", [])
            #expect(res.status == .badRequest)
            _ = hr
        }
    }

    // MARK: sending

    /// HR's settings through the page: e-mail through `smtpPort` (AUTH PLAIN, no STARTTLS) and
    /// robots as given; bob's and alice's addresses.
    static func configure(_ app: Application, _ hr: Browser, smtpPort: Int, hooks: [[(String, String)]],
                          emails: [(String, String)] = [("bob", "bob@example.com"), ("alice", "alice@example.com")]) async throws {
        var res = try await Self.form(app, hr, "/settings/notifications", [
            ("action", "settings"), ("email_enabled", "on"), ("webhooks_enabled", "on"), ("smtp_host", "127.0.0.1"), ("smtp_port", String(smtpPort)),
            ("smtp_from", "kaohe@example.com"), ("smtp_tls", "off"), ("smtp_auth", "plain"), ("smtp_username", "kaohe"),
            ("smtp_password", "s3cret-pass-123"), ("site_url", "https://kaohe.example.com/"),
        ])
        #expect(res.status == .ok && res.body.string.contains("已保存通知设置"), "\(res.body.string.prefix(600))")
        for h in hooks {
            res = try await Self.form(app, hr, "/settings/notifications", [("action", "webhook-add")] + h)
            #expect(res.status == .ok && res.body.string.contains("已添加群机器人"), "\(res.body.string.prefix(600))")
        }
        for (user, address) in emails {
            res = try await Self.form(app, hr, "/settings/notifications", [("action", "email"), ("username", user), ("email", address)])
            #expect(res.status == .ok && res.body.string.contains("邮箱已保存：\(user)"))
        }
    }

    @Test("a reminder reaches the SMTP sink (recipient, decoded subject, body) and the 企业微信 robot; secrets are not on the page")
    func reminderReachesSinks() async throws {
        let smtp = try await SMTPSink()
        let http = try await HTTPSink()
        try await withKaohe { app, org in
            let (cycle, sheets, hr) = try await Self.openOctober(app, org)
            try await Self.configure(app, hr, smtpPort: smtp.port, hooks: [[
                ("kind", "wecom"), ("name", "客服一部群"), ("url", "http://127.0.0.1:\(http.port)/cgi-bin/webhook/send?key=WECOMKEY-1234567890"),
                ("department", org.deptA.uuidString), ("on_remind", "on"), ("on_publish", "on"),
            ]])
            let (alice, _) = try await Browser.signIn(app, "alice")
            let aliceSheet = try #require(sheets[org.alice])
            let s = try await Flow.sheet(app, alice, aliceSheet)
            _ = try #require(try await Flow.act(app, alice, aliceSheet, "submit_self", version: s.version, values: ["task_completion.self": "80"]))
            Flow.today(app, "2026-10-31")
            let res = try await Self.form(app, hr, "/cycles/\(cycle)/remind", [])
            #expect(res.status == .ok && res.body.string.contains("已催办 3 人"))
            // queued, not sent: the step does not wait for the mail server
            let queued = try await OutboundNotice.query(on: app.db).all()
            #expect(queued.filter { $0.channel == "email" }.count == 2 && queued.filter { $0.channel == "wecom" }.count == 1 && queued.allSatisfy { $0.status == "pending" })

            let pass = try await NotificationWorker.deliverDue(app)
            let errors = try await OutboundNotice.query(on: app.db).all().compactMap(\.lastError)
            #expect(pass == .init(sent: 3, retried: 0, failed: 0), "\(pass) \(errors)")

            // two e-mails to bob (his own self-assessment and alice's rating), none to carol (no address)
            let mails = await smtp.received.all()
            #expect(mails.count == 2 && mails.allSatisfy { $0.to == ["bob@example.com"] && $0.from == "kaohe@example.com" && $0.auth == "kaohe:s3cret-pass-123" })
            let read = mails.map(SMTPSink.read)
            #expect(read.allSatisfy { $0.subject == "催办：2026-10 考核" }, "\(read.map(\.subject))")
            #expect(read.allSatisfy { $0.headers["subject"]?.hasPrefix("=?UTF-8?B?") == true && $0.headers["content-type"] == "text/plain; charset=UTF-8" })
            let rating = try #require(read.first { $0.body.contains("“上级评分”") })
            #expect(rating.body.hasPrefix("鲍勃：\n\n催办：2026-10 考核“上级评分”已于 2026-10-30 到期，尚有 1 张：101001\n"), "\(rating.body)")
            #expect(rating.body.contains("打开： https://kaohe.example.com/sheets"))

            // the department's robot: one message with every reminded person's line, the documented shape
            let hits = await http.received.all()
            #expect(hits.count == 1 && hits[0].uri == "/cgi-bin/webhook/send?key=WECOMKEY-1234567890")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(hits[0].body.utf8)) as? [String: Any])
            #expect(json["msgtype"] as? String == "text" && json.count == 2)
            let content = try #require((json["text"] as? [String: Any])?["content"] as? String)
            #expect(content.hasPrefix("催办：2026-10 考核尚有逾期未办\n"))
            #expect(content.contains("鲍勃（bob）：2026-10 考核“上级评分”已于 2026-10-30 到期，尚有 1 张：101001"))
            #expect(content.contains("卡萝（carol）：2026-10 考核“自评”"))
            #expect(content.hasSuffix("https://kaohe.example.com/sheets"))

            // the settings page: the password and the robot's key are not on it; it says they are set
            let page = try await Self.get(app, hr, "/settings/notifications")
            let html = page.body.string
            #expect(page.status == .ok)
            #expect(!html.contains("s3cret-pass-123") && !html.contains("WECOMKEY-1234567890"))
            #expect(html.contains("已设置（留空则不变）") && html.contains("key=••••••7890"))
            #expect(Self.section(html, "id=\"outbox-counts\"", "</p>").contains("已发送：3"))
            // saving again with the password field empty keeps the password
            _ = try await Self.form(app, hr, "/settings/notifications", [
                ("action", "settings"), ("email_enabled", "on"), ("smtp_host", "127.0.0.1"), ("smtp_port", String(smtp.port)),
                ("smtp_from", "kaohe@example.com"), ("smtp_tls", "off"), ("smtp_auth", "plain"), ("smtp_username", "kaohe"), ("smtp_password", ""),
            ])
            let saved = try #require(try await NotificationSettings.query(on: app.db).first())
            #expect(saved.smtpPassword == "s3cret-pass-123" && saved.emailEnabled && !saved.webhooksEnabled && saved.siteURL == nil)
            // the audit trail has the change, not the password
            let audit = try await AuditEntry.query(on: app.db).filter(\.$entity == "notification_settings").all()
            #expect(audit.count == 2 && audit.allSatisfy { !($0.after ?? "").contains("s3cret") && ($0.after ?? "").contains("password=set") })
            // bad input names the field and changes nothing
            let bad = try await Self.form(app, hr, "/settings/notifications", [("action", "settings"), ("email_enabled", "on"), ("smtp_host", "127.0.0.1"),
                                                                                ("smtp_port", "70000"), ("smtp_from", "kaohe@example.com")])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("smtp_port"))
            #expect(try await NotificationSettings.query(on: app.db).first()?.smtpPort == smtp.port)
            let badMail = try await Self.form(app, hr, "/settings/notifications", [("action", "email"), ("username", "bob"), ("email", "bob at example")])
            #expect(badMail.status == .unprocessableEntity && badMail.body.string.contains("email"))
            #expect(try await User.query(on: app.db).filter(\.$username == "bob").first()?.email == "bob@example.com")
        }
        await smtp.stop()
        await http.stop()
    }

    @Test("a publication notice reaches 企业微信, 钉钉 (signed URL) and 飞书 (signed body) in their documented shapes, and each employee's e-mail")
    func publicationReachesRobots() async throws {
        let smtp = try await SMTPSink()
        let http = try await HTTPSink()
        try await withKaohe { app, org in
            let (cycle, sheets, hr) = try await Self.openOctober(app, org)
            try await Self.configure(app, hr, smtpPort: smtp.port, hooks: [
                [("kind", "wecom"), ("name", "全公司群"), ("url", "http://127.0.0.1:\(http.port)/wecom?key=WK"), ("on_publish", "on")],
                [("kind", "dingtalk"), ("name", "客服一部钉钉"), ("url", "http://127.0.0.1:\(http.port)/robot/send?access_token=DTTOKEN"),
                 ("secret", "SECdingtalk-secret"), ("department", org.deptA.uuidString), ("on_publish", "on")],
                [("kind", "feishu"), ("name", "客服一部飞书"), ("url", "http://127.0.0.1:\(http.port)/open-apis/bot/v2/hook/FSHOOK"),
                 ("secret", "feishu-secret"), ("department", org.deptA.uuidString), ("on_publish", "on")],
                // 客服二部's robot hears nothing of 客服一部's results; a reminders-only robot nothing of publications
                [("kind", "wecom"), ("name", "客服二部群"), ("url", "http://127.0.0.1:\(http.port)/other?key=B"), ("department", org.deptB.uuidString), ("on_publish", "on")],
                [("kind", "wecom"), ("name", "催办群"), ("url", "http://127.0.0.1:\(http.port)/remind-only?key=R"), ("on_remind", "on")],
            ])
            try await Self.rateAll(app, org, sheets, hr: hr)
            Flow.today(app, "2026-11-02")
            let res = try await Self.form(app, hr, "/cycles/\(cycle)/publish", [])
            #expect(res.status == .ok && res.body.string.contains("已发布 3 张"))
            let before = Date()
            let pass = try await NotificationWorker.deliverDue(app)
            // alice's and bob's results by e-mail (carol has no address), three robots
            #expect(pass.sent == 5 && pass.failed == 0 && pass.retried == 0, "\(pass)")

            let hits = await http.received.all()
            #expect(hits.count == 3, "\(hits.map(\.uri))")
            func object(_ h: HTTPSink.Hit) throws -> [String: Any] { try #require(try JSONSerialization.jsonObject(with: Data(h.body.utf8)) as? [String: Any]) }
            let text = "2026-10 考核结果已发布（客服一部 3 张），请各位登录查看；如有异议请在 2026-11-05 前在系统内申诉\nhttps://kaohe.example.com/sheets"

            // 企业微信: {"msgtype":"text","text":{"content":…}}, company-wide
            let wecom = try #require(hits.first { $0.uri == "/wecom?key=WK" })
            let w = try object(wecom)
            #expect(Set(w.keys) == ["msgtype", "text"] && w["msgtype"] as? String == "text")
            #expect((w["text"] as? [String: Any])?["content"] as? String == text.replacingOccurrences(of: "客服一部 3 张", with: "共 3 张"))

            // 钉钉: the same body; timestamp (ms) and sign on the address, sign = base64(HMAC-SHA256(secret, "ts\nsecret"))
            let ding = try #require(hits.first { $0.uri.hasPrefix("/robot/send?access_token=DTTOKEN&timestamp=") })
            let query = try #require(URLComponents(string: "http://x" + ding.uri)?.queryItems)
            let ts = try #require(query.first { $0.name == "timestamp" }?.value)
            let sign = try #require(query.first { $0.name == "sign" }?.value)
            let ms = try #require(Double(ts))
            #expect(abs(ms / 1000 - before.timeIntervalSince1970) < 120)
            let expected = Data(HMAC<SHA256>.authenticationCode(for: Data("\(ts)\nSECdingtalk-secret".utf8), using: SymmetricKey(data: Data("SECdingtalk-secret".utf8)))).base64EncodedString()
            #expect(sign == expected)
            let d = try object(ding)
            #expect(Set(d.keys) == ["msgtype", "text"] && (d["text"] as? [String: Any])?["content"] as? String == text)

            // 飞书: {"msg_type":"text","content":{"text":…}} with timestamp (s) and sign = base64(HMAC-SHA256(key "ts\nsecret", ""))
            let feishu = try #require(hits.first { $0.uri == "/open-apis/bot/v2/hook/FSHOOK" })
            let f = try object(feishu)
            #expect(Set(f.keys) == ["msg_type", "content", "timestamp", "sign"] && f["msg_type"] as? String == "text")
            #expect((f["content"] as? [String: Any])?["text"] as? String == text)
            let fts = try #require(f["timestamp"] as? String)
            let fsign = Data(HMAC<SHA256>.authenticationCode(for: Data(), using: SymmetricKey(data: Data("\(fts)\nfeishu-secret".utf8)))).base64EncodedString()
            #expect(f["sign"] as? String == fsign)

            // each employee's own result, to their own address, linking to their sheet
            let mails = await smtp.received.all().map { ($0.to, SMTPSink.read($0)) }
            let aliceMail = try #require(mails.first { $0.0 == ["alice@example.com"] }?.1)
            #expect(aliceMail.subject == "2026-10 考核结果已发布")
            let final = try #require(try await Sheet.find(try #require(sheets[org.alice]), on: app.db)?.finalTotal)
            #expect(aliceMail.body.contains("你的 2026-10 考核结果已发布：\(final) 分；如有异议请在 2026-11-05 前申诉"))
            #expect(aliceMail.body.contains("https://kaohe.example.com/sheets/\(try #require(sheets[org.alice]))"))
            #expect(mails.count == 2)
        }
        await smtp.stop()
        await http.stop()
    }

    @Test("a closed port: retried after 1, 5 and 30 minutes, failed after the 4th attempt, shown to HR, sent again on 重新发送; the reminder itself succeeded")
    func failingTargetIsRetried() async throws {
        let dead = try await closedPort()
        try await withKaohe { app, org in
            let (cycle, _, hr) = try await Self.openOctober(app, org)
            try await Self.configure(app, hr, smtpPort: dead, hooks: [[
                ("kind", "wecom"), ("name", "坏掉的群"), ("url", "http://127.0.0.1:\(dead)/send?key=DEADKEY"), ("on_remind", "on"),
            ]])
            Flow.today(app, "2026-10-31")
            let res = try await Self.form(app, hr, "/cycles/\(cycle)/remind", [])
            // the person's action succeeded: the reminders are in the inboxes
            #expect(res.status == .ok && res.body.string.contains("已催办"))
            let (bob, _) = try await Browser.signIn(app, "bob")
            #expect(try await Self.inbox(app, bob).contains { $0.text.hasPrefix("催办：") })
            // alice has not assessed herself: alice, bob and carol are late; alice and bob have addresses
            #expect(try await OutboundNotice.query(on: app.db).count() == 3)

            let t0 = Date()
            func rows() async throws -> [OutboundNotice] { try await OutboundNotice.query(on: app.db).all() }
            var pass = try await NotificationWorker.deliverDue(app, now: t0)
            #expect(pass == .init(sent: 0, retried: 3, failed: 0))
            var all = try await rows()
            #expect(all.allSatisfy { $0.status == "pending" && $0.attempts == 1 && abs($0.nextAttemptAt.timeIntervalSince(t0) - 60) < 1 && !($0.lastError ?? "").isEmpty })
            #expect(all.filter { $0.channel == "email" }.allSatisfy { ($0.lastError ?? "").contains("无法连接 SMTP 服务器") })
            // half a minute later nothing is due
            pass = try await NotificationWorker.deliverDue(app, now: t0.addingTimeInterval(30))
            #expect(pass == .init())
            // 1, 5, 30 minutes
            let t1 = t0.addingTimeInterval(61)
            pass = try await NotificationWorker.deliverDue(app, now: t1)
            all = try await rows()
            #expect(pass.retried == 3 && all.allSatisfy { $0.attempts == 2 && abs($0.nextAttemptAt.timeIntervalSince(t1) - 300) < 1 })
            let t2 = t1.addingTimeInterval(301)
            pass = try await NotificationWorker.deliverDue(app, now: t2)
            all = try await rows()
            #expect(pass.retried == 3 && all.allSatisfy { $0.attempts == 3 && abs($0.nextAttemptAt.timeIntervalSince(t2) - 1800) < 1 })
            pass = try await NotificationWorker.deliverDue(app, now: t2.addingTimeInterval(1799))
            #expect(pass == .init())
            pass = try await NotificationWorker.deliverDue(app, now: t2.addingTimeInterval(1801))
            #expect(pass == .init(sent: 0, retried: 0, failed: 3))
            all = try await rows()
            #expect(all.allSatisfy { $0.status == "failed" && $0.attempts == 4 })
            // failed is final: a day later nothing is tried
            #expect(try await NotificationWorker.deliverDue(app, now: t0.addingTimeInterval(86_400)) == .init())

            // HR sees them with the error
            var page = try await Self.get(app, hr, "/settings/notifications")
            let failed = Self.section(page.body.string, "id=\"failed\"", "</table>")
            #expect(page.body.string.contains("发送失败：3"))
            #expect(failed.contains("bob@example.com") && failed.contains("企业微信 · 坏掉的群") && failed.contains("无法连接") && failed.contains("重新发送"), "\(failed.prefix(1500))")
            #expect(!page.body.string.contains("DEADKEY"))

            // the mail server is back: 重新发送 one, then all
            let smtp = try await SMTPSink()
            _ = try await Self.form(app, hr, "/settings/notifications", [
                ("action", "settings"), ("email_enabled", "on"), ("webhooks_enabled", "on"), ("smtp_host", "127.0.0.1"), ("smtp_port", String(smtp.port)),
                ("smtp_from", "kaohe@example.com"), ("smtp_tls", "off"), ("smtp_auth", "login"), ("smtp_username", "kaohe"),
            ])
            let bobMail = try #require(all.first { $0.target == "bob@example.com" })
            page = try await Self.form(app, hr, "/settings/notifications", [("action", "retry"), ("id", bobMail.id!.uuidString)])
            #expect(page.body.string.contains("已重新排队：1"))
            pass = try await NotificationWorker.deliverDue(app)
            #expect(pass == .init(sent: 1, retried: 0, failed: 0))
            // AUTH LOGIN with the password kept from before
            let got = await smtp.received.all()
            #expect(got.count == 1 && got[0].to == ["bob@example.com"] && got[0].auth == "kaohe:s3cret-pass-123")
            page = try await Self.form(app, hr, "/settings/notifications", [("action", "retry")])
            #expect(page.body.string.contains("已重新排队：2"))
            pass = try await NotificationWorker.deliverDue(app)
            // alice's e-mail goes; the robot's port is still closed: tried again later
            #expect(pass.sent == 1 && pass.retried == 1)
            await smtp.stop()
        }
    }

    @Test("only HR sees or changes the settings: others get 403 and nothing changes; signed out, the login page")
    func settingsAreHROnly() async throws {
        try await withKaohe { app, _ in
            for name in ["alice", "bob", "carol", "mgr"] {
                var (b, _) = try await Browser.signIn(app, name)
                let page = try await Self.get(app, b, "/settings/notifications")
                #expect(page.status == .forbidden, "\(name) GET → \(page.status)")
                b.remember(try await Self.get(app, b, "/sheets"))
                for fields in [[("action", "settings"), ("email_enabled", "on"), ("smtp_host", "evil.example"), ("smtp_from", "x@evil.example")],
                               [("action", "webhook-add"), ("kind", "wecom"), ("name", "x"), ("url", "http://evil.example/x"), ("on_remind", "on")],
                               [("action", "email"), ("username", "hr"), ("email", "attacker@evil.example")],
                               [("action", "retry")]] {
                    let res = try await Self.form(app, b, "/settings/notifications", fields)
                    #expect(res.status == .forbidden, "\(name) POST \(fields[0].1) → \(res.status)")
                }
                #expect(!(try await Self.get(app, b, "/").body.string.contains("/settings/notifications")), "\(name) sees the link")
            }
            #expect(try await NotificationSettings.query(on: app.db).count() == 0)
            #expect(try await NotificationWebhook.query(on: app.db).count() == 0)
            #expect(try await User.query(on: app.db).filter(\.$username == "hr").first()?.email == nil)
            let anonymous = try await app.testing().sendRequest(.GET, "/settings/notifications")
            #expect(anonymous.status == .seeOther && anonymous.headers.first(name: .location) == "/login")
            let (hr, _) = try await Browser.signIn(app, "hr")
            let page = try await Self.get(app, hr, "/settings/notifications")
            #expect(page.status == .ok && page.body.string.contains("通道与邮件服务器") && page.body.string.contains("5 个在用账号尚未填写邮箱"))
            #expect(try await Self.get(app, hr, "/").body.string.contains("href=\"/settings/notifications\""))
        }
    }

    @Test("a person sets their own address (a bad one is refused naming the field); HR sets it through the API with a reason")
    func ownAddress() async throws {
        try await withKaohe { app, _ in
            var (alice, _) = try await Browser.signIn(app, "alice")
            var page = try await Self.get(app, alice, "/account/email")
            alice.remember(page)
            #expect(page.status == .ok && page.body.string.contains("我的邮箱"))
            var res = try await Self.form(app, alice, "/account/email", [("email", "  alice@example.com ")])
            #expect(res.status == .ok && res.body.string.contains("已保存") && res.body.string.contains("value=\"alice@example.com\""))
            #expect(try await User.query(on: app.db).filter(\.$username == "alice").first()?.email == "alice@example.com")
            res = try await Self.form(app, alice, "/account/email", [("email", "alice@@example")])
            #expect(res.status == .unprocessableEntity && res.body.string.contains("email"))
            #expect(try await User.query(on: app.db).filter(\.$username == "alice").first()?.email == "alice@example.com")
            res = try await Self.form(app, alice, "/account/email", [("email", "")])
            #expect(res.body.string.contains("已删除邮箱"))
            #expect(try await User.query(on: app.db).filter(\.$username == "alice").first()?.email == nil)
            page = try await Self.get(app, alice, "/account/password")
            #expect(page.body.string.contains("href=\"/account/email\""))

            let (hr, _) = try await Browser.signIn(app, "hr")
            let bob = try #require(try await User.query(on: app.db).filter(\.$username == "bob").first())
            try await Flow.json(app, hr, .PATCH, "api/v1/users/\(bob.id!)", #"{"email":"bob@example.com","reason":"通知用邮箱"}"#) { res in
                #expect(res.status == .ok && res.body.string.contains("\"email\":\"bob@example.com\""), "\(res.body.string)")
            }
            try await Flow.json(app, hr, .PATCH, "api/v1/users/\(bob.id!)", #"{"email":"not an address","reason":"x"}"#) { res in
                #expect(res.status == .unprocessableEntity && res.body.string.contains("email"))
            }
            #expect(try await User.query(on: app.db).filter(\.$username == "bob").first()?.email == "bob@example.com")
            let audit = try await AuditEntry.query(on: app.db).filter(\.$entity == "user").filter(\.$after == "email=bob@example.com").count()
            #expect(audit == 1)
        }
    }

    @Test("the settings page and the inbox read in English without Chinese left (but names and what people typed)")
    func english() async throws {
        // the demo company, whose names the catalogue knows; its November overdue on 5 December
        try await withDemoCompany({ $0.today = "2026-11-28" }) { app in
            let hrUser = try #require(try await User.query(on: app.db).filter(\.$username == "hr").first())
            let c = try await CycleService.open(.init(scheme: "ecommerce-monthly", period: "2026-11", departmentId: nil, teamIds: nil),
                                                user: hrUser, config: app.config, db: app.db)
            // opened on the 28th: its deadlines count from then (issue 16 §4), so a week later it is overdue
            CycleFlowTests.today(app, "2026-12-05")
            let (hr, _) = try await Browser.signIn(app, "hr", password: Demo.password)
            let dead = try await closedPort()
            let department = try #require(try await Department.query(on: app.db).first()?.id)
            try await Self.configure(app, hr, smtpPort: dead, hooks: [
                [("kind", "dingtalk"), ("name", "群"), ("url", "http://127.0.0.1:\(dead)/x?access_token=T"), ("secret", "SECxyz"), ("on_remind", "on"), ("on_publish", "on")],
                [("kind", "feishu"), ("name", "部门群"), ("url", "http://127.0.0.1:\(dead)/hook/abc"), ("department", department.uuidString), ("on_remind", "on")],
            ], emails: [("lead11", "lead11@example.com")])
            let res = try await Self.form(app, hr, "/cycles/\(c.id)/remind", [])
            #expect(res.status == .ok && res.body.string.contains("已催办"))
            try await NotificationWorker.deliverDue(app)
            #expect(try await OutboundNotice.query(on: app.db).filter(\.$status == "pending").count() >= 2)
            for name in ["hr", "lead11"] {
                var (b, _) = try await Browser.signIn(app, name, password: Demo.password)
                b.remember(try await Self.get(app, b, "/"))
                let switched = try await Self.form(app, b, "/language", [("language", "en")])
                #expect(switched.status == .seeOther)
                for path in name == "hr" ? ["/settings/notifications", "/sheets", "/account/email"] : ["/sheets", "/account/email"] {
                    let page = try await Self.get(app, b, path)
                    #expect(page.status == .ok, "\(name) \(path)")
                    #expect(page.body.string.contains("<html lang=\"en\">"))
                    #expect(untranslated(page.body.string).isEmpty, "\(name) \(path): \(untranslated(page.body.string))")
                }
            }
        }
    }

    // MARK: formats

    @Test("the messages as the platforms and mail readers expect them: signatures worked out by hand, RFC 2047 subjects, masked secrets")
    func formats() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000.123)
        // 钉钉: HMAC-SHA256 of "1700000000123\nSECtest-secret" keyed by the secret, base64, then percent-encoded
        let ding = try Webhooks.request(kind: "dingtalk", url: "https://oapi.dingtalk.com/robot/send?access_token=abc", secret: "SECtest-secret", text: "你好", now: now)
        #expect(ding.url == "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000123&sign=y0pgYANLUSMjMfpcgR3VXhLNFtynW99C0SWp4U5wOwg%3D")
        #expect(String(decoding: ding.body, as: UTF8.self) == #"{"msgtype":"text","text":{"content":"你好"}}"#)
        // 飞书: HMAC-SHA256 of "" keyed by "1700000000\nfeishu-secret"
        let feishu = try Webhooks.request(kind: "feishu", url: "https://open.feishu.cn/open-apis/bot/v2/hook/xyz", secret: "feishu-secret", text: "你好", now: now)
        #expect(String(decoding: feishu.body, as: UTF8.self)
                == #"{"content":{"text":"你好"},"msg_type":"text","sign":"OrBzY1Y01Gq+HgJsl+7OfWcMVwc7YocohQm5iiZwjhU=","timestamp":"1700000000"}"#)
        let plain = try Webhooks.request(kind: "feishu", url: "https://open.feishu.cn/open-apis/bot/v2/hook/xyz", secret: nil, text: "a/b", now: now)
        #expect(String(decoding: plain.body, as: UTF8.self) == #"{"content":{"text":"a/b"},"msg_type":"text"}"#)
        let wecom = try Webhooks.request(kind: "wecom", url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", secret: "ignored", text: "x", now: now)
        #expect(wecom.url == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k" && String(decoding: wecom.body, as: UTF8.self) == #"{"msgtype":"text","text":{"content":"x"}}"#)
        #expect(throws: Webhooks.Failure.self) { try Webhooks.request(kind: "slack", url: "https://x", secret: nil, text: "x") }

        // RFC 2047: "催办：2026-10 考核" is 22 bytes, one encoded word; a long subject folds into words of ≤ 75 characters
        #expect(MailFormat.encodedWords("催办：2026-10 考核") == "=?UTF-8?B?5YKs5Yqe77yaMjAyNi0xMCDogIPmoLg=?=")
        #expect(MailFormat.encodedWords("Kaohe test") == "Kaohe test")
        let long = String(repeating: "考核结果已发布", count: 6)
        let words = MailFormat.encodedWords(long).components(separatedBy: "\r\n ")
        #expect(words.count > 1 && words.allSatisfy { $0.count <= 75 && $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") })
        #expect(SMTPSink.decodeWords(words.joined(separator: "\r\n ")) == long)
        let mail = MailFormat.render(from: "kaohe@example.com", to: "bob@example.com", subject: "催办", body: "第一行\n.第二行", date: now)
        #expect(mail.hasSuffix("\r\n.\r\n") && mail.contains("Content-Transfer-Encoding: base64\r\n") && mail.contains("Date: Wed, 15 Nov 2023 06:13:20 +0800"))
        let read = SMTPSink.read(.init(from: "", to: [], auth: nil, data: String(mail.dropLast(3))))
        #expect(read.body == "第一行\n.第二行" && read.subject == "催办")
        #expect(MailFormat.isAddress("a.b+c@example.co") && !MailFormat.isAddress("a b@example.com") && !MailFormat.isAddress("a@b\r\nRCPT TO:<x@y>") && !MailFormat.isAddress("<a@b>"))

        // masking: the robot's key or token, and the last part of 飞书's hook, show only their last four characters
        #expect(Masking.url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa") == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=••••••5aaa")
        #expect(Masking.url("https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef") == "https://open.feishu.cn/open-apis/bot/v2/hook/••••••cdef")
        #expect(Masking.url("https://oapi.dingtalk.com/robot/send?access_token=short") == "https://oapi.dingtalk.com/robot/send?access_token=••••••")
    }
}
