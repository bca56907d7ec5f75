import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import KaoheDemo
@testable import KaoheServer

/// What a manager reads on the calibration page (issue 17: "2500 % / 7500 % with a cap of 3000 %").
@Suite("Calibration page figures", .serialized)
struct CalibrationPageTests {
    @Test("the forced-distribution table shows shares and quotas as percentages of the department, never above 100 %")
    func distributionPercentages() async throws {
        try await withDemoCompany { app in
            let (hr, _) = try await Browser.signIn(app, "hr", password: Demo.password)
            let cycles = try await Cycle.query(on: app.db).sort(\.$period, .descending).limit(4).all()
            var rows = 0
            for c in cycles {
                try await app.testing().test(.GET, "cycles/\(try c.requireID())/calibration?department_grade=A", headers: hr.headers) { res in
                    #expect(res.status == .ok)
                    let html = res.body.string
                    guard let table = html.range(of: "强制分布").map({ String(html[$0.upperBound...]) }) else { Issue.record("no distribution table"); return }
                    // every percentage in the table: a number, then " %"
                    let figures = table.matches(of: /<td class="num[^"]*">([0-9.]+) %<\/td>/).compactMap { Double($0.output.1) }
                    rows += figures.count
                    for f in figures { #expect(f >= 0 && f <= 100, "\(c.period): \(f) %") }
                    #expect(!table.contains("00%"), "no share multiplied by 100 twice")
                    if table.contains("<td class=\"num\">30 %</td>") == false && figures.count > 0 {
                        Issue.record("\(c.period): an A department's best grade is capped at 30 % (R-004-04): \(figures)")
                    }
                }
            }
            #expect(rows > 0, "the demo's months have graded sheets to distribute")
        }
    }
}
