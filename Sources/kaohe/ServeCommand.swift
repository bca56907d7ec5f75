import ArgumentParser
import Foundation
import KaoheDemo
import KaoheServer

/// `kaohe serve`: the web application (embedded SQLite by default, PostgreSQL with DATABASE_URL).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "启动考核网站 Start the web application (127.0.0.1:8080, ./kaohe.sqlite unless KAOHE_DB or DATABASE_URL).")

    @Option(help: "Address to listen on (KAOHE_HOST).") var host: String?
    @Option(help: "Port (KAOHE_PORT).") var port: Int?
    @Flag(help: "Load the demo company (2 departments, 5 teams, 60 employees, 12 months) and show demo logins.") var demo = false
    @Option(name: .customLong("demo-scale"), help: "With --demo: the company N times over (34 gives about 2,000 people; for measuring page speed).") var demoScale: Int = 1

    func run() async throws {
        let base: AppConfig
        do { base = try AppConfig.from(environment: ProcessInfo.processInfo.environment, host: host, port: port, demo: demo) }
        catch { throw failInput("\(error)") }
        guard (1...200).contains(demoScale) else { throw failInput("--demo-scale: 1–200") }
        // the demo company `demoScale` times over (teams repeated): 34 gives about 2,000 people, the
        // size the page-speed target is measured at (issue 7 §9)
        let scale = demoScale
        try await KaoheServerMain.run(base, seed: base.demo ? Demo.seed(scale: scale) : nil) { line in print(line) }
    }
}
