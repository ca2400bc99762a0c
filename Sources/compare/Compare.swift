import ArgumentParser
import Comparing
import History
import ToolSupport

/// `compare`: two runs (folders or history ids) -> a verdict per function and memory size.
@main
struct Compare: RightsizeTool {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two runs per function and memory size: duration and cost differences with a verdict.",
        discussion: """
            Each run is a run folder (runs/<name>/, with models.json and logs.ndjson) or a run of the history \
            database (an id, #id, latest or latest~N). Per function and memory size both measured: the \
            difference in robust mean Duration and in cost per 1M invocations, candidate vs baseline, with \
            bootstrap intervals, and a verdict (faster / slower / no significant change; cheaper / costlier). \
            Exit 0, or 4 when --fail-on names a verdict some row has; 2 on bad input. See docs/compare.md.
            """)

    @Argument(help: "The baseline run: a folder, or a history id / latest / latest~N.")
    var baseline: String

    @Argument(help: "The candidate run (same forms).")
    var candidate: String

    @Option(help: "The history database that ids refer to.")
    var history: String = HistoryStore.defaultPath

    @Flag(help: "Write the comparison as JSON instead of the table.")
    var json = false

    @Option(
        name: .customLong("fail-on"),
        help: "Exit 4 when a row has one of these verdicts (comma-separated: slower, faster, costlier, cheaper, change).")
    var failOn: String?

    @Option(help: "Confidence level of the intervals (0.5...0.999).")
    var level: Double = CompareSettings().level

    @Option(name: .customLong("min-effect-pct"), help: "Smallest difference, percent, that can be a verdict.")
    var minEffectPct: Double = CompareSettings().minEffectPct

    @Option(help: "Bootstrap replicates per row.")
    var bootstrap: Int = CompareSettings().bootstrap

    @Option(help: "Seed of the bootstrap.")
    var seed: UInt64 = CompareSettings().seed

    func validate() throws {
        guard (0.5...0.999).contains(level) else { throw ValidationError("--level must be within 0.5...0.999") }
        guard minEffectPct >= 0 else { throw ValidationError("--min-effect-pct must be ≥ 0") }
        guard (100...100_000).contains(bootstrap) else { throw ValidationError("--bootstrap must be 100...100000") }
        _ = try gate()
    }

    func gate() throws -> Set<Verdict> {
        guard let failOn else { return [] }
        var out: Set<Verdict> = []
        for word in failOn.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            switch word {
            case "slower": out.insert(.slower)
            case "faster": out.insert(.faster)
            case "costlier": out.insert(.costlier)
            case "cheaper": out.insert(.cheaper)
            case "change": out.formUnion([.slower, .faster, .costlier, .cheaper])
            default: throw ValidationError("--fail-on: unknown verdict '\(word)' (slower, faster, costlier, cheaper, change)")
            }
        }
        return out
    }

    func run() throws {
        var settings = CompareSettings()
        settings.level = level
        settings.minEffectPct = minEffectPct
        settings.bootstrap = bootstrap
        settings.seed = seed
        let a = try RunReference.load(baseline, historyPath: history)
        let b = try RunReference.load(candidate, historyPath: history)
        let comparison = Comparison.compare(baseline: a, candidate: b, settings: settings)
        print(json ? comparison.json : comparison.text, terminator: "")
        let gate = try gate()
        if !gate.isEmpty && comparison.has(gate) {
            StandardError.line("compare", "a row is \(gate.map(\.rawValue).sorted().joined(separator: " or ")) (--fail-on)")
            throw ExitCode(ExitStatus.gateFailed)
        }
    }
}
