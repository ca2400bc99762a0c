// swift-tools-version: 6.0
// rightsize: profile serverless functions and pick their memory size.
// Layout: thin executables (Sources/<tool>), one-concern library modules, and
// system-library modules (Sources/C*) for libcurl, OpenSSL's libcrypto and SQLite.
import PackageDescription

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "rightsize",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "plan", targets: ["plan"]),
        .executable(name: "invoke", targets: ["invoke"]),
        .executable(name: "await-logs", targets: ["await-logs"]),
        .executable(name: "fit", targets: ["fit"]),
        .executable(name: "report", targets: ["report"]),
        .executable(name: "lambda-emulator", targets: ["lambda-emulator"]),
        .executable(name: "rightsize-bench", targets: ["rightsize-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
        // System libraries (Debian: libcurl4-openssl-dev, libssl-dev, libsqlite3-dev).
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // Library modules, one concern each.
        .target(name: "Records"),                                   // record types, JSON, NDJSON, atomic output, CLI errors
        .target(name: "SeededRandom"),                              // SplitMix64: reproducible random numbers
        .target(name: "OrderStatistics"),                           // fast sorts of large samples, quantiles
        .target(name: "Planning", dependencies: ["Records", "Hashing"]),       // workload -> schedule (generators, RNGs, merge)
        .target(name: "CurlHTTP", dependencies: ["CCurl"]),         // HTTP client over libcurl multi
        .target(name: "Hashing", dependencies: ["CCrypto"]),        // SHA-256 and HMAC-SHA256 over OpenSSL
        .target(name: "SigV4", dependencies: ["Hashing"]),          // Signature V4 signing and verifying
        .target(name: "AWS", dependencies: ["SigV4", "CurlHTTP"]),  // credentials, endpoints, Lambda + Logs clients
        .target(name: "Invoking", dependencies: ["Records", "AWS", "CurlHTTP"]), // open-loop executor
        .target(name: "LogCollection", dependencies: ["Records", "AWS", "SeededRandom"]),        // REPORT parsing, polling, join
        .target(name: "LeastSquares"),                              // QR, Levenberg-Marquardt
        .target(name: "Modeling", dependencies: ["Records", "LeastSquares", "Hashing", "SeededRandom", "OrderStatistics"]),    // runtime/memory/cost models
        .target(name: "Rendering", dependencies: ["Records", "Hashing", "SeededRandom", "OrderStatistics"]),      // HTML + SVG report
        .target(name: "Emulation", dependencies: [                  // lambda-emulator's server, workers, log store
            "Records", "SigV4", "CSQLite", "SeededRandom",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),

        // Executables: argument parsing and wiring only.
        .executableTarget(name: "plan", dependencies: ["Planning", "Records", argumentParser]),
        .executableTarget(name: "invoke", dependencies: ["Invoking", "Records", "AWS", argumentParser]),
        .executableTarget(name: "await-logs", dependencies: ["LogCollection", "Records", "AWS", argumentParser]),
        .executableTarget(name: "fit", dependencies: ["Modeling", "Records", argumentParser]),
        .executableTarget(name: "report", dependencies: ["Rendering", "Records", argumentParser]),
        .executableTarget(name: "lambda-emulator", dependencies: ["Emulation", argumentParser]),
        .executableTarget(name: "rightsize-bench", dependencies: [
            "Records", "Planning", "LogCollection", "Modeling", "Rendering", "LeastSquares", "Invoking", "AWS", "CurlHTTP",
            argumentParser,
        ]),

        // Tests: one target per module, plus end-to-end tests that run the built tools.
        .target(name: "TestSupport", dependencies: ["Records"], path: "Tests/TestSupport"),
        .testTarget(name: "SystemLibraryTests", dependencies: ["CCurl", "CCrypto", "CSQLite"]),
        .testTarget(name: "RecordsTests", dependencies: ["Records", "SeededRandom", "TestSupport"]),
        .testTarget(name: "PlanningTests", dependencies: ["Planning", "Records", "TestSupport", "plan"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "CurlHTTPTests", dependencies: ["CurlHTTP", "TestSupport"]),
        .testTarget(name: "HashingTests", dependencies: ["Hashing"]),
        .testTarget(name: "SeededRandomTests", dependencies: ["SeededRandom"]),
        .testTarget(name: "OrderStatisticsTests", dependencies: ["OrderStatistics", "SeededRandom"]),
        .testTarget(name: "SigV4Tests", dependencies: ["SigV4"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AWSTests", dependencies: ["AWS", "TestSupport", "lambda-emulator"]),
        .testTarget(name: "InvokingTests", dependencies: ["Invoking", "Records", "TestSupport", "invoke", "plan", "lambda-emulator"]),
        .testTarget(name: "LogCollectionTests", dependencies: ["LogCollection", "Records", "TestSupport", "await-logs", "invoke", "plan", "lambda-emulator"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "LeastSquaresTests", dependencies: ["LeastSquares"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ModelingTests", dependencies: ["Modeling", "Records", "TestSupport", "fit"]),
        .testTarget(name: "RenderingTests", dependencies: ["Rendering", "Records", "SeededRandom", "TestSupport", "report"]),
        .testTarget(name: "EmulationTests", dependencies: ["Emulation", "TestSupport", "SigV4", "lambda-emulator"]),
        .testTarget(name: "EndToEndTests", dependencies: [
            "TestSupport", "Records",
            "plan", "invoke", "await-logs", "fit", "report", "lambda-emulator",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
