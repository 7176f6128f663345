// swift-tools-version: 6.1
// RiskStream — an event-driven streaming risk engine over ZeroMQ.
//
// Module map (arrows point one way; pure computation never imports I/O):
//   CZeroMQ ─▶ ZeroMQ ───────────────────────────┐
//   MarketEvents ─▶ RiskModels ─▶ RiskEngine ◀──┘ ─▶ RiskStreamCLI (`riskstream`), RiskStreamBench
//   SeededRandom ─▶ MarketSimulator ─────────────▶ RiskStreamCLI, RiskStreamBench
//   SeededRandom ─▶ OnlineLearning ──────────────▶ RiskStreamCLI (`riskstream evaluate`)
//   CSVReading ──────────────────────────────────▶ RiskStreamCLI (`evaluate`, `backtest`)
//   MarketEvents, CSVReading ─▶ FuzzChecks ─▶ PipelineFuzzChecks (+ RiskEngine) ─▶ fuzz targets, FuzzChecksTests
//   Journal (no dependencies) ───────────────────▶ RiskEngine (`run --journal`), RiskStreamCLI (`journal`)
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "RiskStream",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "riskstream", targets: ["RiskStreamCLI"]),
        .executable(name: "riskstream-bench", targets: ["RiskStreamBench"]),
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
        .library(name: "MarketEvents", targets: ["MarketEvents"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // libzmq from Debian's libzmq3-dev. The module map links "zmq" directly:
        // `pkgConfig: "libzmq"` would make SwiftPM warn on every build (krb5's -isystem flag).
        .systemLibrary(
            name: "CZeroMQ",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"], swiftSettings: strict),
        .target(name: "MarketEvents", swiftSettings: strict),
        .target(name: "SeededRandom", swiftSettings: strict),
        // The append-only record journal: segment files, checksums, writer thread, reader (Docs/JOURNAL.md).
        .target(name: "Journal", swiftSettings: strict),
        .target(name: "MarketSimulator", dependencies: ["MarketEvents", "SeededRandom"], swiftSettings: strict),
        // Online learning: preprocessing, SGD linear models, Hoeffding trees, forests, drift detectors,
        // progressive validation. Pure Swift: no I/O, no ZeroMQ.
        .target(name: "OnlineLearning", dependencies: ["SeededRandom"], swiftSettings: strict),
        // Pure risk computation: features, estimators, rules, data quality. No I/O, no ZeroMQ.
        .target(
            name: "RiskModels", dependencies: ["MarketEvents", "OnlineLearning", "SeededRandom"], swiftSettings: strict),
        // Threads, ring buffers, pipeline configuration, ingest and publishing.
        .target(
            name: "RiskEngine",
            dependencies: [
                "ZeroMQ", "MarketEvents", "RiskModels", "OnlineLearning", "Journal",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        // Reading CSV tables (and whole files) for the CLI's file commands. No I/O beyond reading the file.
        .target(name: "CSVReading", swiftSettings: strict),
        // What each fuzz target checks, as plain functions over bytes: replayed on the seed corpus by
        // FuzzChecksTests in every build, run under libFuzzer by the fuzz targets below. The pipeline's
        // check is apart so that the codec and CSV fuzzers build without the engine (CI builds those).
        .target(name: "FuzzChecks", dependencies: ["MarketEvents", "CSVReading"], swiftSettings: strict),
        .target(name: "PipelineFuzzChecks", dependencies: ["FuzzChecks", "RiskEngine"], swiftSettings: strict),
        .executableTarget(
            name: "RiskStreamCLI",
            dependencies: [
                "CSVReading", "ZeroMQ", "MarketEvents", "MarketSimulator", "RiskEngine", "RiskModels",
                "OnlineLearning", "Journal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "RiskStreamBench",
            dependencies: ["ZeroMQ", "MarketEvents", "MarketSimulator", "RiskEngine", "Journal"],
            swiftSettings: strict
        ),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"], swiftSettings: strict),
        .testTarget(name: "MarketEventsTests", dependencies: ["MarketEvents", "SeededRandom"], swiftSettings: strict),
        .testTarget(name: "JournalTests", dependencies: ["Journal"], swiftSettings: strict),
        .testTarget(name: "MarketSimulatorTests", dependencies: ["MarketSimulator"], swiftSettings: strict),
        .testTarget(name: "OnlineLearningTests", dependencies: ["OnlineLearning", "SeededRandom"], swiftSettings: strict),
        .testTarget(
            name: "RiskModelsTests", dependencies: ["RiskModels", "OnlineLearning", "SeededRandom"], swiftSettings: strict),
        .testTarget(
            name: "RiskEngineTests",
            dependencies: [
                "RiskEngine", "RiskModels", "ZeroMQ", "MarketEvents", "MarketSimulator", "SeededRandom", "Journal",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RiskStreamCLITests",
            dependencies: ["RiskStreamCLI", "ZeroMQ", "MarketEvents", "RiskEngine", "RiskModels", "Journal"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FuzzChecksTests", dependencies: ["FuzzChecks", "PipelineFuzzChecks"], swiftSettings: strict),
        .testTarget(
            name: "InteropTests",
            dependencies: ["ZeroMQ", "MarketEvents"],
            swiftSettings: strict
        ),
    ]
)

// libFuzzer targets, declared only when RISKSTREAM_FUZZ is set (Scripts/fuzz.sh sets it and builds them with
// `-sanitize=fuzzer,address` in .build-fuzz). Each is one `LLVMFuzzerTestOneInput` over a FuzzChecks
// function and has no `main`: libFuzzer's runtime supplies it, so a normal build could not link them.
// The normal build and `swift test` replay the same checks on the seed corpus (FuzzChecksTests) instead.
if Context.environment["RISKSTREAM_FUZZ"] != nil {
    let targets = [("FuzzWireCodec", "FuzzChecks"), ("FuzzCSV", "FuzzChecks"), ("FuzzPipeline", "PipelineFuzzChecks")]
    for (name, checks) in targets {
        package.targets.append(
            .executableTarget(
                name: name, dependencies: [.target(name: checks)], path: "Tests/Fuzz/\(name)",
                swiftSettings: strict))
    }
}
