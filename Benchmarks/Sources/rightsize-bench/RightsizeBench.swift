import ArgumentParser

/// Benchmarks that print figures against the issues' targets. Not timed tests:
/// run them in release (`swift run -c release rightsize-bench <area>`).
@main
struct RightsizeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rightsize-bench",
        abstract: "Measure rightsize's speed and memory against its targets.",
        subcommands: [
            RecordsBench.self, PlanBench.self, InvokeBench.self, LogsBench.self, FitBench.self, ReportBench.self, EmulatorBench.self,
        ]
    )
}
