// swift-tools-version: 6.2

import PackageDescription

/// Gatehouse's benchmarks, a package of their own (as swift-nio keeps its) so that building or
/// testing Gatehouse never builds package-benchmark or the load driver.
///
/// - `GatehouseMicro`: micro-benchmarks of one request's work without HTTP, on package-benchmark,
///   checked against `Thresholds/`: `swift package benchmark thresholds check --path Thresholds`.
/// - `gatehouse-load`: the HTTP load driver of `scripts/bench`; its scenarios are `scenarios.json`.
let package = Package(
    name: "gatehouse-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, because a path dependency is otherwise known by its folder name, which differs per clone.
        .package(name: "gatehouse", path: ".."),
        // Not the default traits: RuntimeInterposer needs a package that this machine kind lacks.
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.1.4"),
    ],
    targets: [
        .executableTarget(
            name: "GatehouseMicro",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "GatehouseCore", package: "gatehouse"),
                .product(name: "GatehouseResource", package: "gatehouse"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/GatehouseMicro",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "gatehouse-load",
            dependencies: [
                .product(name: "GatehouseCore", package: "gatehouse"),
                .product(name: "GatehouseStore", package: "gatehouse"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Sources/GatehouseLoad",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
