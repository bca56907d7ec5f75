import Foundation
import KaoheCore
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

/// A refusal's message is written in Chinese and English apart at the throw, and one function
/// (`KaoheError.message`) picks the reader's (issue 15): no bilingual text is a translation key.
@Suite("Error messages in the reader's language (issue 15)", .serialized)
struct ErrorMessageTests {
    static let period = KaoheError.badInput("period: “2026-13” 不是有效期间", en: "period: “2026-13” is not a period (YYYY-MM)")

    @Test("each language gets its own text; 繁體 from the Chinese; the command line gets both, the shared field said once")
    func texts() {
        #expect(Self.period.message(.zhHans) == "period: “2026-13” 不是有效期间")
        #expect(Self.period.message(.zhHant) == "period: “2026-13” 不是有效期間")
        #expect(Self.period.message(.en) == "period: “2026-13” is not a period (YYYY-MM)")
        #expect(Self.period.reason == "period: “2026-13” 不是有效期间 is not a period (YYYY-MM)")
        #expect(Self.period.message(.zhHans, api: true) == Self.period.reason)
        #expect(Self.period.message(.en, api: true) == Self.period.message(.en))
        #expect(Self.period.status == .badRequest)
        // nothing shared: both whole
        let sheet = KaoheError.notFound("没有这张考核表", en: "no such sheet")
        #expect(sheet.reason == "没有这张考核表 no such sheet")
        // a message without English is translated from the Chinese
        let bare = KaoheError.invalid("没有这张考核表")
        #expect(bare.reason == "没有这张考核表" && bare.message(.zhHant) == "沒有這張考核表")
    }

    @Test("over HTTP: 繁體 and English readers get only their language; the API's default 简体 gets both")
    func http() async throws {
        try await withKaohe { app, _ in
            let (b, _) = try await Browser.signIn(app, "alice")
            let path = "api/v1/sheets/\(UUID())"
            func message(_ cookie: String?) async throws -> String {
                var h = b.headers
                if let cookie { h.add(name: .cookie, value: "kaohe_lang=\(cookie)") }
                var out = ""
                try await app.testing().test(.GET, path, headers: h) { res in
                    #expect(res.status == .notFound)
                    out = try res.content.decode(APIError.self).message
                }
                return out
            }
            #expect(try await message(nil) == "没有这张考核表 no such sheet")
            #expect(try await message("zh-Hant") == "沒有這張考核表")
            #expect(try await message("en") == "no such sheet")
            // a page: Chinese only
            try await app.testing().test(.GET, "sheets/\(UUID())", headers: b.headers) { res in
                #expect(res.status == .notFound)
                #expect(res.body.string.contains("没有这张考核表") && !res.body.string.contains("no such sheet"), "\(res.body.string.suffix(400))")
            }
        }
    }
}
