import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import KaoheServer

@Suite("Events with their day, who and when; counts and results follow", .serialized)
struct EventTests {
    static func event(_ e: UUID, _ scheme: String, _ column: String, _ day: String, _ note: String = "") -> String {
        "{\"employee_id\": \"\(e)\", \"scheme\": \"\(scheme)\", \"column\": \"\(column)\", \"occurred_on\": \"\(day)\", \"note\": \"\(note)\"}"
    }

    @Test func eventsDriveTheCountAndTheTotal() async throws {
        try await withKaohe { app, org in
            let scheme = try await EvidenceTests.preset(app, "star-agent")
            let sid = try scheme.requireID()
            let (bob, _) = try await Browser.signIn(app, "bob")
            // a clean month first: 92 points (volume at 150%)
            let base = "{\"employee_id\": \"\(org.alice)\", \"period\": \"2026-10\", \"scheme\": \"star-agent\", \"values\": {\"exam_score\": \"100\", \"callbacks\": \"10\", \"callback_score_total\": \"100\", \"peer_review\": \"2\", \"etiquette_item\": \"8\", \"ability_item\": \"10\", \"volume_rate\": \"150\"}}"
            try await EvidenceTests.put(app, bob, base) { res in #expect(res.body.string.contains("\"total\":\"92\"")) }
            var first = ""
            try await OrganisationTests.post(app, bob, "api/v1/events", Self.event(org.alice, "star-agent", "daily_checks.late_early", "2026-10-09", "迟到 12 分钟")) { res in
                #expect(res.status == .created, "\(res.body.string)")
                #expect(res.body.string.contains("\"count\":1") && res.body.string.contains("\"period\":\"2026-10\""))
                first = OrganisationTests.id(res)
            }
            try await OrganisationTests.post(app, bob, "api/v1/events", Self.event(org.alice, "star-agent", "daily_checks.late_early", "2026-10-21", "早退")) { res in
                #expect(res.body.string.contains("\"count\":2"))
            }
            var total = try await StoredResult.query(on: app.db).filter(\.$employee.$id == org.alice).filter(\.$scheme.$id == sid).filter(\.$period == "2026-10").first()?.total
            #expect(total == "88")   // 92 − 2 × 2
            // the agent sees the events on her record; QA cannot see them
            let (alice, _) = try await Browser.signIn(app, "alice")
            try await app.testing().test(.GET, "api/v1/employees/\(org.alice)/events?period=2026-10", headers: alice.headers) { res in
                #expect(res.status == .ok && res.body.string.contains("迟到 12 分钟") && res.body.string.contains("2026-10-21"))
            }
            let (carol, _) = try await Browser.signIn(app, "carol")
            try await app.testing().test(.GET, "api/v1/employees/\(org.alice)/events", headers: carol.headers) { res in #expect(res.status == .forbidden) }
            // an agent cannot record events on herself
            try await OrganisationTests.post(app, alice, "api/v1/events", Self.event(org.alice, "star-agent", "daily_checks.late_early", "2026-10-22")) { res in
                #expect(res.status == .forbidden)
            }
            // removing an event needs a reason; the count and the total follow
            try await OrganisationTests.post(app, bob, "api/v1/events/\(first)", "{\"reason\": \"\"}", method: .DELETE) { res in #expect(res.status == .unprocessableEntity) }
            try await OrganisationTests.post(app, bob, "api/v1/events/\(first)", "{\"reason\": \"考勤系统误报\"}", method: .DELETE) { res in #expect(res.status == .noContent) }
            total = try await StoredResult.query(on: app.db).filter(\.$employee.$id == org.alice).filter(\.$scheme.$id == sid).filter(\.$period == "2026-10").first()?.total
            #expect(total == "90")
            let deleted = try #require(try await AuditEntry.query(on: app.db).filter(\.$entity == "event").filter(\.$action == "delete").first())
            #expect(deleted.reason == "考勤系统误报" && deleted.actorName == "bob" && deleted.before == "迟到 12 分钟")
            // bad input
            try await OrganisationTests.post(app, bob, "api/v1/events", Self.event(org.alice, "star-agent", "exam_score", "2026-10-09")) { res in
                #expect(res.status == .unprocessableEntity && res.body.string.contains("exam_score"))
            }
            try await OrganisationTests.post(app, bob, "api/v1/events", Self.event(org.alice, "star-agent", "daily_checks.late_early", "2026-02-30")) { res in
                #expect(res.status == .badRequest && res.body.string.contains("occurred_on"))
            }
        }
    }

    @Test("R-002-31: an event on the 25th closes its month (Decision); the 26th belongs to the next month's sheet")
    func monthBoundary() async throws {
        try await withKaohe { app, org in
            _ = try await EvidenceTests.preset(app, "company-monthly")
            let (hr, _) = try await Browser.signIn(app, "hr")
            for (day, period) in [("2026-10-24", "2026-10"), ("2026-10-25", "2026-10"), ("2026-10-26", "2026-11")] {
                try await OrganisationTests.post(app, hr, "api/v1/events", Self.event(org.dave, "company-monthly", "major_mistakes", day)) { res in
                    #expect(res.status == .created && res.body.string.contains("\"period\":\"\(period)\""), "\(day) → \(res.body.string)")
                }
            }
        }
    }
}
