// swift-tools-version: 6.0
// rightsize's benchmarks: figures against the issues' speed and memory targets, kept out of
// the tools' package (as SwiftNIO and Hummingbird keep theirs) so the tools build without them.
//
//   swift build -c release --package-path Benchmarks
//   Benchmarks/.build/release/rightsize-bench <area>   # records | plan | invoke | logs | fit | report | emulator
//
// The fit, report and emulator benchmarks run the tools themselves: build the main package in
// release first (`swift build -c release`); the benchmark finds them in ../.build/release.
import PackageDescription

let package = Package(
    name: "rightsize-benchmarks",
    dependencies: [
        .package(name: "rightsize", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .executableTarget(
            name: "rightsize-bench",
            dependencies: [
                .product(name: "RightsizeLibraries", package: "rightsize"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ])
    ],
    swiftLanguageModes: [.v6]
)
