import Foundation
import NIOCore
import Vapor

/// The group robots' text messages, as each platform documents them (issue 17 §7):
/// - 企业微信 `{"msgtype":"text","text":{"content":…}}`, answered `{"errcode":0,"errmsg":"ok"}`;
/// - 钉钉 the same body; with 加签, `&timestamp=<ms>&sign=<urlencode(base64(HmacSHA256(key: secret,
///   "<ms>\n<secret>")))>` on the address; answered `{"errcode":0,…}`;
/// - 飞书 `{"msg_type":"text","content":{"text":…}}`; with 签名校验, `"timestamp":"<s>"` and
///   `"sign":base64(HmacSHA256(key: "<s>\n<secret>", ""))` in the body; answered `{"code":0,…}`.
enum Webhooks {
    struct Failure: Error, CustomStringConvertible { var description: String }

    struct TextBody: Encodable {
        struct Text: Encodable { var content: String }
        var msgtype = "text"
        var text: Text
    }

    struct FeishuBody: Encodable {
        struct Content: Encodable { var text: String }
        var timestamp: String?
        var sign: String?
        var msgType = "text"
        var content: Content
        enum CodingKeys: String, CodingKey { case timestamp, sign, msgType = "msg_type", content }
    }

    /// The address and JSON body of a text message to a robot of `kind`, signed with `secret`
    /// (钉钉, 飞书) at `now`.
    static func request(kind: String, url: String, secret: String?, text: String, now: Date = Date()) throws -> (url: String, body: Data) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let secret = secret.flatMap { $0.isEmpty ? nil : $0 }
        switch kind {
        case "wecom":
            return (url, try encoder.encode(TextBody(text: .init(content: text))))
        case "dingtalk":
            var address = url
            if let secret {
                let ms = String(Int64((now.timeIntervalSince1970 * 1000).rounded(.down)))
                let mac = HMAC<SHA256>.authenticationCode(for: Data("\(ms)\n\(secret)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
                let sign = Data(mac).base64EncodedString()
                address += (url.contains("?") ? "&" : "?") + "timestamp=\(ms)&sign=\(formEncoded(sign))"
            }
            return (address, try encoder.encode(TextBody(text: .init(content: text))))
        case "feishu":
            var body = FeishuBody(content: .init(text: text))
            if let secret {
                let s = String(Int64(now.timeIntervalSince1970.rounded(.down)))
                let mac = HMAC<SHA256>.authenticationCode(for: Data(), using: SymmetricKey(data: Data("\(s)\n\(secret)".utf8)))
                body.timestamp = s
                body.sign = Data(mac).base64EncodedString()
            }
            return (url, try encoder.encode(body))
        default:
            throw Failure(description: "未知的机器人类型 unknown robot kind “\(kind)”")
        }
    }

    /// `+`, `/` and `=` of base64 percent-encoded for a query value.
    static func formEncoded(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }

    /// Posts a text message; throws unless the robot answered 2xx and, where it says, code 0.
    static func send(kind: String, url: String, secret: String?, text: String, client: any Client, timeout: Int64 = 15) async throws {
        let (address, body) = try request(kind: kind, url: url, secret: secret, text: text)
        var headers = HTTPHeaders()
        headers.add(name: .contentType, value: "application/json; charset=utf-8")
        let res: ClientResponse
        do {
            res = try await client.send(ClientRequest(method: .POST, url: URI(string: address), headers: headers,
                                                      body: ByteBuffer(bytes: body), timeout: .seconds(timeout)))
        } catch {
            throw Failure(description: "无法连接 cannot reach \(Masking.url(url)): \(error)")
        }
        let text = res.body.map { String(buffer: $0) } ?? ""
        guard (200..<300).contains(res.status.code) else {
            throw Failure(description: "HTTP \(res.status.code) \(text.prefix(200))")
        }
        // the platforms answer 200 with their own error code: 企业微信/钉钉 errcode, 飞书 code (or StatusCode)
        if let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] {
            for key in ["errcode", "code", "StatusCode"] {
                if let code = json[key] as? Int, code != 0 {
                    let message = (json["errmsg"] ?? json["msg"] ?? json["StatusMessage"]).map { "\($0)" } ?? ""
                    throw Failure(description: "\(key) \(code): \(message.prefix(200))")
                }
            }
        }
    }
}

/// Secrets shown without themselves (issue 17 §7: "secrets never echoed back in full").
enum Masking {
    /// The robot's address up to its path, with the key or token masked but for its last four characters.
    static func url(_ s: String) -> String {
        guard let c = URLComponents(string: s), let host = c.host else { return secret(s) }
        var shown = "\(c.scheme ?? "https")://\(host)\(c.port.map { ":\($0)" } ?? "")"
        let parts = c.path.split(separator: "/").map(String.init)
        // the last path part of 飞书's hook is its token; the query (key=…, access_token=…) is 企业微信's and 钉钉's
        if c.query == nil, let last = parts.last { shown += "/" + (parts.dropLast() + [secret(last)]).joined(separator: "/") }
        else { shown += c.path }
        if let items = c.queryItems, !items.isEmpty {
            shown += "?" + items.map { "\($0.name)=\(secret($0.value ?? ""))" }.joined(separator: "&")
        }
        return shown
    }

    /// `••••••3f9a`: the last four characters of a secret longer than eight, nothing of a shorter one.
    static func secret(_ s: String) -> String {
        guard !s.isEmpty else { return "" }
        return s.count > 8 ? "••••••" + s.suffix(4) : "••••••"
    }
}
