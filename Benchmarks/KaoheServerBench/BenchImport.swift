import Fluent
import Foundation
import KaoheCore
import KaoheServer
import Vapor

extension KaoheTasks {
    public struct ImportBench: Sendable {
        public var rows: Int
        public var bytes: Int
        public var agents: Int
        /// streaming parse + aggregation alone
        public var aggregateSeconds: Double
        /// the whole import: checksum, aggregation, evidence written, results re-scored, all committed
        public var importSeconds: Double
        public var evidenceWritten: Int
        public var resultsStored: Int
    }

    /// Writes a chat log of `rows` rows for `agents` agents (about 100 bytes a row) unless it exists.
    public static func syntheticLog(path: String, rows: Int, agents: Int, period: String = "2026-10") throws {
        if FileManager.default.fileExists(atPath: path) { return }
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let h = FileHandle(forWritingAtPath: path) else { throw Refused(status: 400, description: "cannot write \(path)") }
        defer { try? h.close() }
        // the columns a chat platform's export has (about 100 bytes a row), several not used by the scheme
        var out = "会话ID,客服工号,客户昵称,店铺,开始时间,首次响应时长,接待时长,结果,订单金额,实付金额,退款金额\n"
        let shops = ["官方旗舰店", "专卖店", "海外旗舰店"]
        var rng = UInt64(0x9E37_79B9_7F4A_7C15)
        func next() -> Int { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return Int(rng % 1_000_000) }
        let outcomes = ["咨询", "下单未付款", "已付款", "已付款", "退款", "流失"]
        for i in 0..<rows {
            let agent = 200_000 + i % agents
            let o = outcomes[next() % outcomes.count]
            let amount = o == "咨询" || o == "流失" ? "" : "\(50 + next() % 2000).\(next() % 100)"
            let paid = o == "已付款" || o == "退款" ? amount : ""
            let refund = o == "退款" ? amount : ""
            out += "S\(period.replacingOccurrences(of: "-", with: ""))\(String(format: "%010d", i + 1)),\(agent),tb_用户\(next()),\(shops[i % 3]),\(period)-\(String(format: "%02d", 1 + i % 28)) \(String(format: "%02d:%02d:%02d", 8 + i % 12, i % 60, (i / 60) % 60)),\(3 + next() % 120),\(30 + next() % 1500),\(o),\(amount),\(paid),\(refund)\n"
            if out.utf8.count > 4 << 20 { h.write(Data(out.utf8)); out = "" }
        }
        h.write(Data(out.utf8))
    }

    /// `kaohe bench-import`: a company of `agents` agents on ecommerce-monthly, then the log
    /// imported and committed as `kaohe import log --commit` does it.
    public static func benchImport(_ config: AppConfig, log: String, agents: Int) async throws -> ImportBench {
        let size = (try FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0
        return try await withApp(config) { app in
            let db = app.db
            let hash = try app.password.hash("bench-1234")
            let user = User(username: "bench-hr-\(UUID().uuidString.prefix(8))", displayName: "bench", passwordHash: hash, role: .hr)
            try await user.save(on: db)
            let code = String(format: "%02d", 50 + Int.random(in: 0..<49))
            let dept = Department(name: "压测部\(code)-\(UUID().uuidString.prefix(4))", code: code)
            try await dept.save(on: db)
            let team = Team(name: "压测组", departmentId: try dept.requireID())
            try await team.save(on: db)
            let existing = try await PeopleStore.numbers(on: db)
            var people: [Employee] = []
            for k in 0..<agents where !existing.contains(String(200_000 + k)) {
                people.append(Employee(number: String(200_000 + k), name: "坐席\(k)", position: "客服专员", hireDate: "2025-01-01",
                                       departmentId: try dept.requireID(), teamId: try team.requireID()))
            }
            try await StoreSQL.createAll(people, on: db)
            guard let preset = Presets.file("ecommerce-monthly") else { throw Refused(status: 500, description: "preset ecommerce-monthly missing") }
            let text = try String(contentsOf: preset, encoding: .utf8)
            let key = "bench-\(UUID().uuidString.prefix(8).lowercased())"
            let schemeText = text.replacingOccurrences(of: "id: ecommerce-monthly", with: "id: \(key)")
            try await SchemeVersion(key: key, version: 1, name: "bench", text: schemeText, preset: "ecommerce-monthly", departmentId: nil, createdBy: nil).save(on: db)
            let scheme = try SchemeLoader.decode(schemeText, format: .yaml)
            // aggregation alone
            let t0 = Date()
            let summary = try LogAggregator.aggregate(path: log, scheme: scheme)
            let aggregate = Date().timeIntervalSince(t0)
            // the whole import, committed
            let t1 = Date()
            let written = try await ImportService.commitLog(scheme: key, path: log, user: user, db: db)
            let whole = Date().timeIntervalSince(t1)
            let stored = try await ResultStore.count(schemeKey: key, on: db)
            return ImportBench(rows: summary.rows, bytes: size, agents: summary.totals.count, aggregateSeconds: aggregate,
                               importSeconds: whole, evidenceWritten: written, resultsStored: stored)
        }
    }
}
