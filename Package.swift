// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "kaohe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kaohe", targets: ["kaohe"]),
        .library(name: "KaoheCore", targets: ["KaoheCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // Foundation-only domain: no Vapor, Fluent or Plot here (DESIGN.md).
        .target(
            name: "KaoheCore",
            dependencies: [.product(name: "Yams", package: "Yams")],
            resources: [.copy("Presets")]
        ),
        .executableTarget(
            name: "kaohe",
            dependencies: [
                "KaoheCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "KaoheCoreTests",
            dependencies: ["KaoheCore"],
            exclude: ["Fixtures"]
        ),
        // Runs the built `kaohe` binary: the CLI contract other tools depend on.
        .testTarget(
            name: "KaoheCLITests",
            dependencies: ["kaohe"]
        ),
    ]
)
