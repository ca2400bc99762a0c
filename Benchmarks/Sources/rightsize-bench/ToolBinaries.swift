import Foundation

/// Where the rightsize tools the benchmarks run are: `$RIGHTSIZE_BIN`, or the main package's
/// release build (`swift build -c release` in the repository root), found from this binary's
/// own path (Benchmarks/.build/<triple>/release/rightsize-bench).
enum ToolBinaries {
    static var directory: String {
        if let bin = ProcessInfo.processInfo.environment["RIGHTSIZE_BIN"], !bin.isEmpty { return bin }
        let benchDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let repository = benchDirectory.appendingPathComponent("../../../..").standardizedFileURL
        return repository.appendingPathComponent(".build/release").path
    }

    static func path(_ tool: String) -> String { directory + "/" + tool }
}
