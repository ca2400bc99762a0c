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

    enum Compatibility: String, ExpressibleByArgument, CaseIterable {
        case faasprofiler
    }

    func validate() throws {
        if printTarget && printName { throw ValidationError("give at most one of --print-target and --print-name") }
        if (printTarget || printName) && output != nil {
            throw ValidationError("--print-target and --print-name write to standard output only")
        }
    }

    func run() throws {
        let generator: Generator = compat == .faasprofiler ? .faasprofiler : .rightsize
        let schedule = try Schedule.load(path: workload, generator: generator)
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
