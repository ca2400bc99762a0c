// swift-tools-version: 6.0
// rightsize's fuzz targets: one libFuzzer executable per parser of outside input, kept out of
// the tools' package (like Benchmarks/) because they only link with `-sanitize=fuzzer`.
// docs/fuzzing.md; the command that builds and runs them:
//
//   scripts/fuzz.sh [target|all] [seconds]
//
// which builds with
//
//   swift build --package-path Fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//
// (the flags reach every Swift module, so the libraries are instrumented for coverage too).
import PackageDescription

let libraries: Target.Dependency = .product(name: "RightsizeLibraries", package: "rightsize")

/// One executable per target: its one file exports `LLVMFuzzerTestOneInput` and has a `@main`
/// that hands it to libFuzzer's driver (SwiftPM links executables to their module's entry point,
/// so libFuzzer's own `main` is not the one used).
func fuzzTarget(_ name: String) -> Target {
    .executableTarget(name: name, dependencies: [libraries, "FuzzSupport"])
}

let package = Package(
    name: "rightsize-fuzz",
    dependencies: [
        .package(name: "rightsize", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: [libraries, "CLibFuzzer"]),
        fuzzTarget("fuzz-workload"),
        fuzzTarget("fuzz-record"),
        fuzzTarget("fuzz-projection"),
        fuzzTarget("fuzz-report-line"),
        fuzzTarget("fuzz-filter-page"),
        fuzzTarget("fuzz-sigv4"),
        .executableTarget(
            name: "fuzz-emulator-http",
            dependencies: [
                libraries, "FuzzSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
