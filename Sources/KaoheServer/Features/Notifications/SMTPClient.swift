import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how e-mails are sent: the company's SMTP server (settings page).
struct SMTPSettings: Sendable, Equatable {
    /// SMTP AUTH (RFC 4954): none, PLAIN or LOGIN.
    enum Auth: String, Sendable, CaseIterable { case none, plain, login }
    /// STARTTLS (RFC 3207): never; when the server offers it; or refuse to send without it.
    enum TLS: String, Sendable, CaseIterable { case off, optional, required }

    var host: String
    var port: Int
    var from: String
    var auth: Auth = .none
    var username: String = ""
    var password: String = ""
    var tls: TLS = .optional
    /// Seconds for the connection and for the whole exchange.
    var timeout: Double = 30
    var helo: String = "kaohe.localdomain"
}

/// Why an e-mail was not accepted, as the settings page shows it.
struct SMTPFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A small SMTP client (RFC 5321) on SwiftNIO: EHLO, STARTTLS when configured, AUTH PLAIN or
/// LOGIN, one message to one recipient, QUIT. Every step is bounded by the timeout: the
/// connection attempt by the bootstrap's, the exchange by a watchdog that closes the connection.
enum SMTPClient {
    static func send(to: String, subject: String, body: String, with s: SMTPSettings, on group: any EventLoopGroup, date: Date = Date()) async throws {
        guard MailFormat.isAddress(s.from) else { throw SMTPFailure("发件人地址无效 the sender’s address is not valid: \(s.from)") }
        guard MailFormat.isAddress(to) else { throw SMTPFailure("收件人地址无效 the recipient’s address is not valid: \(to)") }
        let message = MailFormat.render(from: s.from, to: to, subject: subject, body: body, date: date)
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.milliseconds(Int64(s.timeout * 1000)))
                .connect(host: s.host, port: s.port) { ch in
                    ch.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: ch)
                    }
                }
        } catch {
            throw SMTPFailure("无法连接 SMTP 服务器 cannot connect to \(s.host):\(s.port): \(error)")
        }
        let raw = channel.channel
        let timeout = s.timeout
        // the whole exchange within the timeout: else the connection is closed, which ends the read
        let watchdog = Task {
            try? await Task.sleep(nanoseconds: UInt64(timeout * 1_000_000_000))
            if !Task.isCancelled { raw.close(promise: nil) }
        }
        defer { watchdog.cancel() }
        do {
            try await channel.executeThenClose { inbound, outbound in
                var it = inbound.makeAsyncIterator()
                var pending: [UInt8] = []

                func line() async throws -> String {
                    while true {
                        if let i = pending.firstIndex(of: 10) {
                            var bytes = Array(pending[..<i])
                            pending.removeFirst(i + 1)
                            if bytes.last == 13 { bytes.removeLast() }
                            return String(decoding: bytes, as: UTF8.self)
                        }
                        guard pending.count < 65_536 else { throw SMTPFailure("SMTP 回复过长 the server’s reply is too long") }
                        guard let chunk = try await it.next() else {
                            throw SMTPFailure("SMTP 服务器断开了连接或超时（\(Int(timeout)) 秒） the server closed the connection or did not answer in time")
                        }
                        pending.append(contentsOf: chunk.readableBytesView)
                    }
                }
                // a reply: lines "250-…" continue, "250 …" ends it
                func reply() async throws -> (code: Int, lines: [String]) {
                    var lines: [String] = []
                    while true {
                        let text = try await line()
                        let l = Array(text.utf8)
                        guard l.count >= 3, let code = Int(String(decoding: l[0..<3], as: UTF8.self)) else {
                            throw SMTPFailure("无法读懂 SMTP 回复 unreadable reply: \(String(decoding: l.prefix(80), as: UTF8.self))")
                        }
                        lines.append(l.count > 4 ? String(decoding: l[4...], as: UTF8.self) : "")
                        if l.count == 3 || l[3] != UInt8(ascii: "-") { return (code, lines) }
                    }
                }
                func command(_ text: String, expect codes: Set<Int>, shown: String? = nil) async throws -> (code: Int, lines: [String]) {
                    try await outbound.write(ByteBuffer(string: text + "\r\n"))
                    let r = try await reply()
                    guard codes.contains(r.code) else {
                        throw SMTPFailure("SMTP \(r.code) \(r.lines.joined(separator: " ").prefix(200))（\(shown ?? text)）")
                    }
                    return r
                }
                func capabilities(_ r: (code: Int, lines: [String])) -> Set<String> {
                    Set(r.lines.map { $0.split(separator: " ").first.map { String($0).uppercased() } ?? "" })
                }

                let greeting = try await reply()
                guard greeting.code == 220 else { throw SMTPFailure("SMTP \(greeting.code) \(greeting.lines.joined(separator: " ").prefix(200))（greeting）") }
                let hello = try await command("EHLO \(s.helo)", expect: [250])
                var caps = capabilities(hello)
                if s.tls != .off {
                    if caps.contains("STARTTLS") {
                        _ = try await command("STARTTLS", expect: [220])
                        let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                        // no SNI for an address given as digits
                        let name = s.host.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) ? nil : s.host
                        let tls = try NIOSSLClientHandler(context: context, serverHostname: name)
                        try await raw.pipeline.addHandler(tls, position: .first)
                        let again = try await command("EHLO \(s.helo)", expect: [250])
                        caps = capabilities(again)
                    } else if s.tls == .required {
                        throw SMTPFailure("SMTP 服务器不支持 STARTTLS，设置要求加密 the server does not offer STARTTLS, which the settings require")
                    }
                }
                _ = caps
                switch s.auth {
                case .none: break
                case .plain:
                    let token = Data([UInt8(0)] + Array(s.username.utf8) + [UInt8(0)] + Array(s.password.utf8)).base64EncodedString()
                    _ = try await command("AUTH PLAIN \(token)", expect: [235], shown: "AUTH PLAIN ••••")
                case .login:
                    _ = try await command("AUTH LOGIN", expect: [334])
                    _ = try await command(Data(s.username.utf8).base64EncodedString(), expect: [334], shown: "AUTH LOGIN user")
                    _ = try await command(Data(s.password.utf8).base64EncodedString(), expect: [235], shown: "AUTH LOGIN ••••")
                }
                _ = try await command("MAIL FROM:<\(s.from)>", expect: [250])
                _ = try await command("RCPT TO:<\(to)>", expect: [250, 251])
                _ = try await command("DATA", expect: [354])
                try await outbound.write(ByteBuffer(string: message))
                let accepted = try await reply()
                guard accepted.code == 250 else { throw SMTPFailure("SMTP \(accepted.code) \(accepted.lines.joined(separator: " ").prefix(200))（DATA）") }
                // the message is accepted: a failing QUIT changes nothing
                _ = try? await command("QUIT", expect: [221])
            }
        } catch let e as SMTPFailure {
            throw e
        } catch {
            throw SMTPFailure("SMTP 发送失败 sending failed: \(error)")
        }
    }
}

/// An e-mail as it travels (RFC 5322, MIME): the subject as RFC 2047 encoded words, the body
/// UTF-8 in base64, lines ending CRLF, the end-of-data line after it.
enum MailFormat {
    /// A plain address `name@domain` (no display name, no spaces, no brackets).
    static func isAddress(_ s: String) -> Bool {
        s.count <= 254 && s.wholeMatch(of: /[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*/) != nil
    }

    /// RFC 2047 B-encoded words of at most 75 characters, folded onto continuation lines; plain
    /// ASCII is left as it is.
    static func encodedWords(_ s: String) -> String {
        if s.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) && s.count <= 70 && !s.contains("=?") { return s }
        var words: [String] = [], chunk = ""
        for c in s {
            // 45 bytes make 60 base64 characters: with "=?UTF-8?B?" and "?=", 72
            if chunk.utf8.count + String(c).utf8.count > 45 { words.append(chunk); chunk = "" }
            chunk.append(c)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    static func render(from: String, to: String, subject: String, body: String, date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = TimeZone(identifier: "Asia/Shanghai"); f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let domain = from.split(separator: "@").last.map(String.init) ?? "kaohe.localdomain"
        let text = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        let encoded = Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let headers = [
            "From: \(encodedWords("考核 Kaohe")) <\(from)>",
            "To: <\(to)>",
            "Subject: \(encodedWords(subject))",
            "Date: \(f.string(from: date))",
            "Message-ID: <\(UUID().uuidString.lowercased())@\(domain)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
        ]
        // base64 has no line starting with ".": nothing to dot-stuff
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + encoded + "\r\n.\r\n"
    }
}
