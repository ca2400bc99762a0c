// swift-tools-version: 6.0
// rightsize: profile serverless functions and pick their memory size.
// Layout (ARCHITECTURE.md): thin executables (Sources/<tool>), library modules with one
// concern each, and system-library modules (Sources/C*) for libcurl, OpenSSL's libcrypto,
// SQLite and the Linux system calls Glibc does not export. Linux only: the HTTP client
// runs on epoll and timerfd, the emulator on cgroups and /proc. The benchmarks are a
// package of their own (Benchmarks/) that depends on this one.
import PackageDescription

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let heap: Target.Dependency = .product(name: "HeapModule", package: "swift-collections")

let package = Package(
    name: "rightsize",
    products: [
        .executable(name: "plan", targets: ["plan"]),
        .executable(name: "invoke", targets: ["invoke"]),
        .executable(name: "merge-shards", targets: ["merge-shards"]),
        .executable(name: "await-logs", targets: ["await-logs"]),
        .executable(name: "fit", targets: ["fit"]),
        .executable(name: "report", targets: ["report"]),
        .executable(name: "lambda-emulator", targets: ["lambda-emulator"]),
        .executable(name: "history", targets: ["history"]),
        .executable(name: "compare", targets: ["compare"]),
        .executable(name: "apply", targets: ["apply"]),
        // For Benchmarks/, which measures the stages' library code directly, and Fuzz/.
        .library(
            name: "RightsizeLibraries",
            targets: [
                "JSON", "RecordSchema", "NDJSONIO", "ToolSupport", "Clocks", "SeededRandom", "OrderStatistics",
                "Hashing", "SigV4", "CurlHTTP", "AWS", "Planning", "Invoking", "LogCollection", "LeastSquares",
                "Modeling", "Rendering", "SyntheticData", "History", "Comparing", "Emulation",
            ]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        // Unpacking user functions' deployment zips in-process (no `unzip` on PATH needed, and
        // every entry is checked before anything is written).
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
    ],
    targets: [
        // System libraries (Debian: libcurl4-openssl-dev, libssl-dev, libsqlite3-dev).
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLinux"),  // epoll, timerfd, eventfd, prctl, rlimit

        // Primitives: each exists once, here.
        .target(name: "JSON"),  // scanner, writer, field table, raw JSON, the line-aware tree
        .target(name: "Clocks"),  // monotonic, wall and thread-CPU clocks, sleeping, the token bucket
        .target(name: "SeededRandom"),  // SplitMix64, Xoshiro256**, MT19937, portable log
        .target(name: "OrderStatistics"),  // sorts of large samples, the one quantile definition
        .target(name: "ToolSupport", dependencies: [argumentParser]),  // exit codes, one-line errors, main
        .target(name: "Hashing", dependencies: ["CCrypto"]),  // SHA-256 and HMAC-SHA256 over OpenSSL
        .target(name: "SigV4", dependencies: ["Hashing"]),  // Signature V4 signing, verifying, dates
        .target(name: "LeastSquares"),  // QR, Levenberg-Marquardt

        // Records: what the stages pass each other, and reading and writing them.
        .target(name: "RecordSchema", dependencies: ["JSON"]),  // record kinds, models.json types
        .target(name: "NDJSONIO", dependencies: ["JSON", "RecordSchema", "ToolSupport", "CLinux"]),  // files, projection

        // Clients and stages.
        .target(name: "CurlHTTP", dependencies: ["CCurl", "CLinux", "Clocks", heap]),  // HTTP over libcurl multi
        .target(name: "AWS", dependencies: ["SigV4", "Hashing", "CurlHTTP", "JSON", "SeededRandom"]),  // credentials, clients
        .target(name: "Planning", dependencies: ["JSON", "RecordSchema", "NDJSONIO", "ToolSupport", "Hashing", "SeededRandom", heap]),
        .target(
            name: "Invoking",
            dependencies: ["RecordSchema", "NDJSONIO", "ToolSupport", "AWS", "SigV4", "CurlHTTP", "Clocks", "OrderStatistics"]),
        .target(name: "LogCollection", dependencies: ["JSON", "RecordSchema", "NDJSONIO", "ToolSupport", "AWS", "CurlHTTP", "Clocks"]),
        .target(
            name: "Modeling",
            dependencies: [
                "JSON", "RecordSchema", "NDJSONIO", "ToolSupport", "LeastSquares", "Hashing", "SeededRandom", "OrderStatistics",
                "SyntheticData",
            ]),
        .target(
            name: "Rendering",
            dependencies: [
                "JSON", "RecordSchema", "NDJSONIO", "ToolSupport", "Hashing", "SeededRandom", "OrderStatistics", "History",
                "Comparing",
            ]),
        // Across runs: the SQLite run history, and comparing two runs.
        .target(
            name: "History",
            dependencies: ["CSQLite", "JSON", "RecordSchema", "NDJSONIO", "ToolSupport", "OrderStatistics", "Hashing"]),
        .target(name: "Comparing", dependencies: ["History", "JSON", "SeededRandom", "OrderStatistics"]),
        .target(name: "Applying", dependencies: ["History", "AWS", "CurlHTTP"]),  // setting the chosen memory sizes
        // Known-truth records for fit --selftest, the tests and the benchmarks (never a stage's data path).
        .target(name: "SyntheticData", dependencies: ["JSON", "RecordSchema", "NDJSONIO", "SeededRandom"]),
        .target(
            name: "Emulation",
            dependencies: [  // lambda-emulator: server, workers, user runtimes, log store; no record types
                "JSON", "SigV4", "Hashing", "ToolSupport", "Clocks", "CSQLite", "CLinux", "SeededRandom",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),

        // Executables: argument parsing and wiring only.
        .executableTarget(name: "plan", dependencies: ["Planning", "NDJSONIO", "RecordSchema", "ToolSupport", argumentParser]),
        .executableTarget(
            name: "invoke",
            dependencies: ["Invoking", "NDJSONIO", "RecordSchema", "ToolSupport", "AWS", "CurlHTTP", "Clocks", argumentParser]),
        .executableTarget(name: "merge-shards", dependencies: ["Invoking", "ToolSupport", argumentParser]),
        .executableTarget(
            name: "await-logs", dependencies: ["LogCollection", "NDJSONIO", "RecordSchema", "ToolSupport", "AWS", argumentParser]),
        .executableTarget(name: "fit", dependencies: ["Modeling", "NDJSONIO", "ToolSupport", argumentParser]),
        .executableTarget(
            name: "report",
            dependencies: ["Rendering", "History", "Comparing", "NDJSONIO", "RecordSchema", "ToolSupport", argumentParser]),
        .executableTarget(name: "lambda-emulator", dependencies: ["Emulation", "ToolSupport", argumentParser]),
        .executableTarget(name: "history", dependencies: ["History", "ToolSupport", argumentParser]),
        .executableTarget(
            name: "apply", dependencies: ["Applying", "History", "AWS", "CurlHTTP", "ToolSupport", argumentParser]),
        .executableTarget(name: "compare", dependencies: ["Comparing", "History", "ToolSupport", argumentParser]),

        // Tests: one target per module, plus end-to-end tests that run the built tools.
        .target(
            name: "TestSupport", dependencies: ["JSON", "RecordSchema", "NDJSONIO", "Modeling", "SyntheticData"],
            path: "Tests/TestSupport"),
        .testTarget(name: "SystemLibraryTests", dependencies: ["CCurl", "CCrypto", "CSQLite", "CLinux"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON", "SeededRandom"]),
        .testTarget(name: "RecordSchemaTests", dependencies: ["RecordSchema", "JSON", "ToolSupport", "TestSupport"]),
        .testTarget(
            name: "NDJSONIOTests", dependencies: ["NDJSONIO", "RecordSchema", "JSON", "ToolSupport", "SeededRandom", "TestSupport"]),
        .testTarget(name: "ToolSupportTests", dependencies: ["ToolSupport"]),
        .testTarget(name: "ClocksTests", dependencies: ["Clocks"]),
        .testTarget(
            name: "PlanningTests",
            dependencies: [
                "Planning", "JSON", "RecordSchema", "NDJSONIO", "ToolSupport", "SeededRandom", "TestSupport", "plan",
            ],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "CurlHTTPTests", dependencies: ["CurlHTTP", "Clocks", "TestSupport"]),
        .testTarget(name: "HashingTests", dependencies: ["Hashing"]),
        .testTarget(name: "SeededRandomTests", dependencies: ["SeededRandom"]),
        .testTarget(name: "OrderStatisticsTests", dependencies: ["OrderStatistics", "SeededRandom"]),
        .testTarget(name: "SigV4Tests", dependencies: ["SigV4"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AWSTests", dependencies: ["AWS", "CurlHTTP", "TestSupport", "lambda-emulator"]),
        .testTarget(
            name: "InvokingTests",
            dependencies: [
                "Invoking", "JSON", "RecordSchema", "NDJSONIO", "ToolSupport", "TestSupport", "invoke", "plan", "lambda-emulator",
                "merge-shards",
            ]),
        .testTarget(
            name: "LogCollectionTests",
            dependencies: [
                "LogCollection", "AWS", "Clocks", "RecordSchema", "NDJSONIO", "TestSupport", "await-logs", "invoke", "plan",
                "lambda-emulator",
            ],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "LeastSquaresTests", dependencies: ["LeastSquares"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ModelingTests", dependencies: ["Modeling", "JSON", "RecordSchema", "NDJSONIO", "SyntheticData", "TestSupport", "fit"]),
        .testTarget(name: "SyntheticDataTests", dependencies: ["SyntheticData", "RecordSchema", "NDJSONIO", "TestSupport"]),
        .testTarget(
            name: "RenderingTests",
            dependencies: ["Rendering", "RecordSchema", "NDJSONIO", "SyntheticData", "SeededRandom", "TestSupport", "report"]),
        .testTarget(name: "EmulationTests", dependencies: ["Emulation", "JSON", "TestSupport", "SigV4", "lambda-emulator"]),
        .testTarget(
            name: "HistoryTests", dependencies: ["History", "RecordSchema", "SyntheticData", "SeededRandom", "TestSupport", "history"]),
        .testTarget(
            name: "ComparingTests",
            dependencies: ["Comparing", "History", "JSON", "SyntheticData", "SeededRandom", "TestSupport", "compare", "history"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "TestSupport", "RecordSchema", "NDJSONIO", "JSON", "SyntheticData", "AWS", "CurlHTTP",
                "plan", "invoke", "await-logs", "fit", "report", "lambda-emulator", "merge-shards", "history", "compare", "apply",
            ],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "AcceptanceTests",
            dependencies: [
                "TestSupport", "RecordSchema", "NDJSONIO",
                "plan", "invoke", "await-logs", "fit", "report", "lambda-emulator",
                "AWS", "CurlHTTP", "Clocks", "LogCollection",
            ]),
    ],
    swiftLanguageModes: [.v6]
)
