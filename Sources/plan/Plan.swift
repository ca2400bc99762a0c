import ArgumentParser
import NDJSONIO
import Planning
import RecordSchema
import ToolSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// plan: expands a workload into schedule.ndjson (docs/plan.md).
@main
struct Plan: RightsizeTool {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Expand a workload into a seeded, reproducible call schedule (schedule.ndjson).",
        discussion: """
            The first line is the run header; then one line per call, phase by phase in the order of \
            memory_sizes, in time order. Every phase replays the same times. See docs/plan.md and docs/workload.md.
            """,
        version: RightsizeVersion.current
    )

    @Argument(
        help: ArgumentHelp(
            "The workload file (FaaSProfiler format, docs/workload.md); - reads standard input.",
            valueName: "workload.json"))
    var workload: String = "-"

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Write the schedule here (atomically) instead of standard output.",
            valueName: "schedule.ndjson"))
    var output: String?

    @Option(
        help: ArgumentHelp(
            "Make Poisson times exactly as FaaSProfiler does (numpy's legacy MT19937, one shared stream).",
            valueName: "faasprofiler"))
    var compat: Compatibility?

    @Flag(help: "Print the workload's target platform (local or aws) and exit.")
    var printTarget = false

    @Flag(help: "Print the workload's test_name (the run's folder name) and exit.")
    var printName = false

    @Flag(
        help:
            "Print the functions a local run deploys (one per line: name, runtime, handler, code folder, timeout; tab-separated) and exit."
    )
    var printFunctions = false

    @Flag(help: "Print the workload's memory sizes (comma-separated) and exit.")
    var printMemorySizes = false

    @Option(
        help: ArgumentHelp(
            "Plan these memory sizes instead of the workload's (comma-separated MB; an adaptive run's rounds).",
            valueName: "mb,mb,..."))
    var memorySizes: String?

    func overrideSizes() throws -> [Int]? {
        guard let memorySizes else { return nil }
        let sizes = memorySizes.split(separator: ",").map { Int($0.filter { $0 != " " }) }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0.map { (128...10240).contains($0) } ?? false }) else {
            throw ValidationError("--memory-sizes must be comma-separated integers in 128...10240")
        }
        return sizes.map { $0! }
    }

    enum Compatibility: String, ExpressibleByArgument, CaseIterable {
        case faasprofiler
    }

    func validate() throws {
        _ = try overrideSizes()
        if printTarget && printName { throw ValidationError("give at most one of --print-target and --print-name") }
        if (printTarget || printName) && output != nil {
            throw ValidationError("--print-target and --print-name write to standard output only")
        }
    }

    func run() throws {
        let generator: Generator = compat == .faasprofiler ? .faasprofiler : .rightsize
        var schedule = try Schedule.load(path: workload, generator: generator)
        if let sizes = try overrideSizes() { schedule = schedule.measuring(sizes) }
        if printMemorySizes {
            print(schedule.workload.memorySizes.map(String.init).joined(separator: ","))
            return
        }
        if printFunctions {
            for f in schedule.workload.functions {
                print([f.name, f.runtime, f.handler, f.directory, String(f.timeoutSeconds)].joined(separator: "\t"))
            }
            return
        }
        if printTarget {
            print(schedule.workload.platform.rawValue)
            return
        }
        if printName {
            print(schedule.workload.testName)
            return
        }
        for warning in schedule.workload.warnings { StandardError.line("plan", "warning: \(warning)") }

        TemporaryFiles.removeOnInterrupt()
        var file = try OutputFile(path: output)
        do {
            let calls = try ScheduleWriter.write(schedule, to: &file)
            try file.commit()
            if schedule.seedGenerated {
                StandardError.line("plan", "random_seed was null: using seed \(schedule.seed) (recorded in the header)")
            }
            if calls == 0 { StandardError.line("plan", "warning: the schedule has no calls") }
        } catch {
            StandardError.line("plan", "\(error)")
            throw ExitCode(ExitStatus.failure)
        }
    }
}
