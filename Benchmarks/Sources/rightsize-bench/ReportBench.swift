import ArgumentParser
import Foundation
import Rendering
import SyntheticData

/// Issue 7's target: a 1,000,000-invocation run gives a report ≤ 3 MB in ≤ 2 s.
/// Generates synthetic records (+ models) to temporary files, then times the real
/// `report` executable built beside this one.
struct ReportBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Time `report` on a synthetic run and print the HTML size.")

    @Option(help: "Invocations in the synthetic run (split over 2 functions × 5 memory sizes).")
    var calls = 1_000_000

    @Option(help: "Timed repetitions of report (the best and the median are printed).")
    var repeats = 3

    @Option(help: "Keep the generated inputs and report in this directory (default: a temporary one, removed).")
    var keep: String?

    func run() throws {
        let dir = keep ?? (NSTemporaryDirectory() + "rightsize-report-bench-\(getpid())")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: dir) } }
        var synthetic = SyntheticRun()
        synthetic.callsPerSize = max(1, calls / (synthetic.functions.count * synthetic.memorySizes.count))
        let t0 = Date()
        let paths = try synthetic.write(to: dir)
        let logBytes = (try? FileManager.default.attributesOfItem(atPath: paths.logs)[.size] as? Int) ?? 0
        print(
            "generated \(synthetic.callsPerSize * synthetic.functions.count * synthetic.memorySizes.count) invocations "
                + "(logs.ndjson \(logBytes / 1_000_000) MB) in \(String(format: "%.1f", Date().timeIntervalSince(t0))) s")
        let tool = ToolBinaries.path("report")
        let output = dir + "/report.html"
        var times: [Double] = []
        var cpu: [Double] = []
        for _ in 0..<max(1, repeats) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: tool)
            p.arguments = [paths.models, paths.logs, paths.invocations, "-o", output]
            let before = Self.childrenCPU()
            let start = Date()
            try p.run()
            p.waitUntilExit()
            times.append(Date().timeIntervalSince(start))
            cpu.append(Self.childrenCPU() - before)
            guard p.terminationStatus == 0 else { throw ValidationError("report exited with \(p.terminationStatus)") }
        }
        let order = times.indices.sorted { times[$0] < times[$1] }
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "?"
        print(
            String(
                format: "report: wall best %.3f s, median %.3f s (target ≤ 2 s); CPU (user+sys) %.3f s on %d cores; load average %@",
                times[order[0]], times[order[order.count / 2]], cpu[order[0]], ProcessInfo.processInfo.activeProcessorCount, load))
        print(String(format: "report: HTML %.3f MB (target ≤ 3 MB)", Double(size) / 1_000_000))
    }

    /// CPU seconds used by waited-for children so far (user + system).
    static func childrenCPU() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        #else
        getrusage(RUSAGE_CHILDREN, &usage)
        #endif
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
