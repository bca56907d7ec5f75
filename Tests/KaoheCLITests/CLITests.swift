import Foundation
import Testing

/// Runs the `kaohe` executable built next to the test bundle.
struct CLI {
    static var binary: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("kaohe").path) && dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("kaohe")
    }

    static var repo: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    struct Output { var code: Int32; var stdout: String; var stderr: String }

    static func run(_ args: [String], env: [String: String] = [:]) throws -> Output {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        if !env.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(env) { _, new in new } }
        p.currentDirectoryURL = repo
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(code: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func temp(_ name: String, _ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kaohe-cli-\(UUID().uuidString)-\(name)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}

@Suite("kaohe CLI contract")
struct CLITests {
    static let scheme = "Tests/KaoheCoreTests/Fixtures/all-kinds.yaml"

    @Test func presetsListAsJSON() throws {
        let r = try CLI.run(["presets", "--format", "json"])
        #expect(r.code == 0)
        let list = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]]
        #expect(list != nil)
        for p in list ?? [] {
            #expect(p["id"] is String && p["name"] is String && p["source"] != nil && p["rules"] is [String])
        }
    }

    @Test func scoreJSONMatchesTheContract() throws {
        let csv = try CLI.temp("in.csv", "employee_id,period,attitude.self,attitude.manager,orders,inquiries,response_time,bad_reviews,completion,order_rate,market_order_rate,volume,evaluation,performance_pay\nE1,2026-10,8,9,18,60,45,2,87,30,32.5,104,优秀,3000\n")
        let r = try CLI.run(["score", "--scheme", Self.scheme, "--input", csv, "--format", "json"])
        #expect(r.code == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((doc["scheme"] as? [String: Any])?["id"] as? String == "all-kinds")
        let res = try #require((doc["results"] as? [[String: Any]])?.first)
        #expect(res["employee_id"] as? String == "E1")
        #expect(res["period"] as? String == "2026-10")
        #expect((res["total"] as? NSNumber)?.doubleValue == 83.6)   // see EngineRuleKindTests.bonusAndVeto
        #expect((res["max"] as? NSNumber)?.intValue == 100)
        #expect(res["grade"] as? String == "良好")
        let items = try #require(res["items"] as? [[String: Any]])
        let conv = try #require(items.first { $0["id"] as? String == "conversion" })
        #expect((conv["points"] as? NSNumber)?.intValue == 3)
        // every `rule` is a list of SPEC ids, as `presets show` writes them (issue 18, CLI contract)
        #expect((conv["rule"] as? [String])?.contains("R-001-03") == true)
        #expect((conv["explanation"] as? String)?.contains("R-001-10") == true)
        for key in ["label", "max"] { #expect(conv[key] != nil) }
        let money = try #require(res["money"] as? [[String: Any]])
        #expect(money.allSatisfy { $0["label"] is String && $0["rule"] is [String] && $0["amount"] is NSNumber })
        let pay = try #require(res["pay"] as? [String: Any])
        #expect((pay["paid"] as? NSNumber)?.doubleValue == 2508)
        #expect(pay["rule"] as? [String] == ["R-001-13"])
        #expect(res["flags"] is [Any])
        let flags = try #require(res["flags"] as? [[String: Any]])
        #expect(flags.allSatisfy { $0["rule"] is [String] })
    }

    @Test func scoreCSVAndTable() throws {
        let csv = try CLI.temp("in.csv", "employee_id,name,attitude.self,attitude.manager,orders,inquiries\n张三的工号,张三,8,9,0,0\n")
        let c = try CLI.run(["score", "--scheme", Self.scheme, "--input", csv, "--format", "csv", "--period", "2026-10"])
        #expect(c.code == 0, "\(c.stderr)")
        let lines = c.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("employee_id,period,total,max,grade,complete,attitude,daily,conversion") == true)
        #expect(lines.count == 2)
        #expect(lines[1].hasPrefix("张三的工号,2026-10,"))
        #expect(lines[1].contains("zero_denominator"))
        // no performance_pay: the pay fields are there and empty, the row as wide as the header
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        let row = lines[1].split(separator: ",", omittingEmptySubsequences: false)
        #expect(header.count == row.count, "\(header.count) columns, \(row.count) fields")
        let paid = try #require(header.firstIndex(of: "pay_paid"))
        #expect(row[paid] == "" && row[paid - 1] == "")
        let t = try CLI.run(["score", "--scheme", Self.scheme, "--input", csv])
        #expect(t.code == 0)
        #expect(t.stdout.contains("咨询转化率") && t.stdout.contains("zero_denominator"))
    }

    @Test(arguments: [
        ("employee_id,orderz\nE1,3\n", "orderz"),
        ("orders\n3\n", "employee_id"),
        ("employee_id,orders\nE1,abc\n", "orders"),
        ("employee_id,period,orders\nE1,2026-10,1\nE1,2026-10,2\n", "duplicate"),
        ("employee_id,order_rate\nE1,140%\n", "order_rate"),
        ("employee_id,bad_reviews\nE1,-1\n", "bad_reviews"),
    ])
    func badInputExitsTwoWithNothingOnStdout(csv: String, mention: String) throws {
        let path = try CLI.temp("bad.csv", csv)
        let r = try CLI.run(["score", "--scheme", Self.scheme, "--input", path, "--format", "json"])
        #expect(r.code == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains(path))
        #expect(r.stderr.contains(mention))
    }

    @Test func validateExitsOneWithProblems() throws {
        let bad = try CLI.temp("bad.yaml", """
        id: t
        name: 测试
        metrics:
          - {id: rate, label: 比率, kind: percent}
        sections:
          - id: s
            label: 维度
            max: 5
            items:
              - id: b
                label: 档位
                kind: banded
                max: 5
                rule: R-001-03
                metric: rate
                bands:
                  - {min: 0, max: 25, value: 4}
                  - {min: 20, max: 30, value: 3}
        """)
        let r = try CLI.run(["presets", "validate", bad])
        #expect(r.code == 1)
        #expect(r.stdout.contains("sections[0].items[0].bands[1]"))
        let ok = try CLI.run(["presets", "validate", Self.scheme])
        #expect(ok.code == 0)
        #expect(ok.stdout.contains("sections[1].items[0].bands[3]"))   // the gap warning, R-001-03
    }
}

@Suite("kaohe import / export contract")
struct ImportExportCLITests {
    @Test("refusals exit 2 with the reason on stderr and nothing on stdout")
    func refusals() throws {
        let db = FileManager.default.temporaryDirectory.appendingPathComponent("kaohe-cli-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: db) }
        let file = try CLI.temp("roster.csv", "工号,姓名,部门\n101001,艾丽,01\n")
        let cases: [([String], String)] = [
            (["import", "evidence", "/nonexistent/十月.csv", "--scheme", "ecommerce-monthly"], "十月.csv"),
            (["import", "payroll", file], "kind"),
            (["import", "roster", file, "--map", "工号"], "--map"),
            (["export", "payslips", "--period", "2026-10"], "form"),
            (["import", "roster", file, "--user", "nobody"], "nobody"),
            (["export", "ranking", "--period", "2026-10", "--user", "nobody"], "nobody"),
        ]
        for (args, words) in cases {
            let out = try CLI.run(args, env: ["KAOHE_DB": db])
            #expect(out.code == 2 && out.stdout.isEmpty && out.stderr.contains(words), "\(args): \(out.code) \(out.stderr)")
        }
        // the store was migrated like `kaohe serve` does it
        #expect(FileManager.default.fileExists(atPath: db))
    }
}
