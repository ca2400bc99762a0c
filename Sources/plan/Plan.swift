import ArgumentParser
import Planning
import Records

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// plan: expands a workload into schedule.ndjson (docs/plan.md).
@main
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Expand a workload into a seeded, reproducible call schedule (schedule.ndjson).",
        discussion: """
            The first line is the run header; then one line per call, phase by phase in the order of \
            memory_sizes, in time order. Every phase replays the same times. See docs/plan.md and docs/workload.md.
            """,
        version: RightsizeVersion.current
    )

    @Argument(help: ArgumentHelp("The workload file (FaaSProfiler format, docs/workload.md); - reads standard input.",
                                 valueName: "workload.json"))
    var workload: String = "-"

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the schedule here (atomically) instead of standard output.",
                                                    valueName: "schedule.ndjson"))
    var output: String?

    @Option(help: ArgumentHelp("Make Poisson times exactly as FaaSProfiler does (numpy's legacy MT19937, one shared stream).",
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
        if (printTarget || printName) && output != nil { throw ValidationError("--print-target and --print-name write to standard output only") }
    }

    func run() throws {
        let generator: Generator = compat == .faasprofiler ? .faasprofiler : .rightsize
        let schedule: Schedule
        do {
            schedule = try Schedule.load(path: workload, generator: generator)
        } catch let error as InputError {
            Self.printError("plan: \(error)")
            throw ExitCode(ExitStatus.badInput)
        }
        if printTarget { print(schedule.workload.platform.rawValue); return }
        if printName { print(schedule.workload.testName); return }
        for warning in schedule.workload.warnings { Self.printError("plan: warning: \(warning)") }

        TemporaryFiles.removeOnInterrupt()
        var file: OutputFile
        do {
            file = try OutputFile(path: output)
        } catch let error as InputError {
            Self.printError("plan: \(error)")
            throw ExitCode(ExitStatus.badInput)
        }
        do {
            let calls = try ScheduleWriter.write(schedule, to: &file)
            try file.commit()
            if schedule.seedGenerated { Self.printError("plan: random_seed was null: using seed \(schedule.seed) (recorded in the header)") }
            if calls == 0 { Self.printError("plan: warning: the schedule has no calls") }
        } catch {
            Self.printError("plan: \(error)")
            throw ExitCode(ExitStatus.failure)
        }
    }

    static func printError(_ text: String) {
        var line = text + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// Usage errors exit with 2 (the project's convention) instead of ArgumentParser's 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError("plan: \(message(for: error)) (see plan --help)")
                Glibc.exit(ExitStatus.badInput)
            }
            exit(withError: error)
        }
    }
}
