// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "kaohe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kaohe", targets: ["kaohe"]),
        .executable(name: "kaohe-bench", targets: ["kaohe-bench"]),
        .executable(name: "kaohe-libfuzz", targets: ["kaohe-libfuzz"]),
        .library(name: "KaoheCore", targets: ["KaoheCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/JohnSundell/Plot.git", from: "0.14.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        // the SMTP client of the notices (issue 17 §7): already in the graph through Vapor
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.34.0"),
        // HTML snapshots of every page per role (tests only)
        .package(url: "https://github.com/pointfreeco/swift-snapshot-testing.git", from: "1.19.7"),
    ],
    targets: [
        // The domain: Foundation, Yams and ZIPFoundation (XLSX) only; no Vapor, Fluent or Plot here (DESIGN.md).
        .target(
            name: "KaoheCore",
            dependencies: [.product(name: "Yams", package: "Yams"), .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            resources: [.copy("Presets"), .copy("Locales")]
        ),
        // The web application: Vapor, Fluent (SQLite by default, PostgreSQL with DATABASE_URL), Plot.
        .target(
            name: "KaoheServer",
            dependencies: [
                "KaoheCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Plot", package: "Plot"),
                // /metrics (issue 20 §3): Vapor's request metrics and ours, in Prometheus text
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                // e-mail over SMTP with STARTTLS (Features/Notifications/SMTPClient)
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The demo company of `kaohe serve --demo` and of the tests: 2 departments, 5 teams, 60 people,
        // 12 months, written through the server's stores (package access).
        .target(
            name: "KaoheDemo",
            dependencies: [
                "KaoheCore",
                "KaoheServer",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
            ]
        ),
        // Throughput benchmarks (not timed tests) and the parser fuzzer: `kaohe bench` / `kaohe fuzz`, or
        // `kaohe-bench` (`kaohe-bench fuzz`) built without the server.
        .target(
            name: "KaoheBench",
            dependencies: [
                "KaoheCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // `fuzz` re-zips mutated XLSX parts (deflate) and builds zip bombs
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            path: "Benchmarks/KaoheBench"
        ),
        // `kaohe bench-import`: a chat log of a million rows imported through the server (its import
        // path, stores and re-scoring, by package access), timed.
        .target(
            name: "KaoheServerBench",
            dependencies: [
                "KaoheCore",
                "KaoheServer",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
            ],
            path: "Benchmarks/KaoheServerBench"
        ),
        .executableTarget(name: "kaohe-bench", dependencies: ["KaoheBench"], path: "Benchmarks/kaohe-bench"),
        // The same fuzz targets under libFuzzer; fuzzes only when built by Benchmarks/libfuzz.sh (docs/fuzzing.md).
        .executableTarget(name: "kaohe-libfuzz", dependencies: ["KaoheBench"], path: "Benchmarks/kaohe-libfuzz"),
        .executableTarget(
            name: "kaohe",
            dependencies: [
                "KaoheCore",
                "KaoheServer",
                "KaoheDemo",
                "KaoheBench",
                "KaoheServerBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "KaoheCoreTests",
            dependencies: ["KaoheCore"],
            exclude: ["Fixtures"]
        ),
        // HTTP tests on in-memory SQLite; the PostgreSQL suite runs when KAOHE_TEST_POSTGRES_URL is set.
        .testTarget(
            name: "KaoheServerTests",
            dependencies: ["KaoheServer", "KaoheDemo", .product(name: "VaporTesting", package: "vapor"),
                           // the SMTP and webhook sinks of NotificationTests
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "SnapshotTesting", package: "swift-snapshot-testing")],
            exclude: ["Fixtures"]
        ),
        // Runs the built `kaohe` binary: the CLI contract other tools depend on.
        .testTarget(
            name: "KaoheCLITests",
            dependencies: ["kaohe"]
        ),
    ]
)
