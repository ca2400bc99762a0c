import ArgumentParser
import Comparing
import Foundation
import History
import NDJSONIO
import RecordSchema
import Rendering
import ToolSupport

@main
struct Report: RightsizeTool {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report from models.json and the run's records.",
        discussion: """
            The page has no scripts and no external resources: it works offline and when mailed.
            Charts are inline SVG, each with a data table. The same inputs give the same bytes.
            """
    )

    @Argument(help: "models.json written by fit.")
    var models: String

    @Argument(help: "logs.ndjson written by await-logs ('-' = standard input).")
    var logs: String

    @Argument(help: "invocations.ndjson written by invoke (optional: adds throttled, failed and unsent calls).")
    var invocations: String?

    @Option(name: .shortAndLong, help: "Output HTML file ('-' or absent = standard output).")
    var output: String?

    @Option(
        name: .customLong("compare"),
        help: "Add a section comparing this run with another (a run folder, a history id, latest or latest~N): docs/compare.md.")
    var compareWith: String?

    @Flag(name: .customLong("history"), help: "Add each function's cost and duration at its recommended size across the recorded runs.")
    var showHistory = false

    @Option(name: .customLong("history-db"), help: "The history database (--history, and ids given to --compare).")
    var historyDB: String = HistoryStore.defaultPath

    @Option(help: "The recommendation the history charts follow: cheapest, balanced, fastest or under_latency_bound.")
    var rule: String = "cheapest"

    func validate() throws {
        guard RecommendationRow.rules.contains(rule) else {
            throw ValidationError("--rule must be one of \(RecommendationRow.rules.joined(separator: ", "))")
        }
    }

    func run() throws {
        TemporaryFiles.removeOnInterrupt()
        var document = try ReportDocument.load(modelsPath: models, logsPath: logs, invocationsPath: invocations)
        if compareWith != nil || showHistory {
            let current = try RunFolder.load(models: models, logs: logs, source: (models as NSString).deletingLastPathComponent)
            let comparison = try compareWith.map { other in
                Comparison.compare(baseline: try RunReference.load(other, historyPath: historyDB), candidate: current)
            }
            document.acrossRuns = AcrossRuns(comparison: comparison, trends: try trends(current), rule: rule)
        }
        var file = try OutputFile(path: output)
        try file.write(document.render())
        try file.commit()
    }

    /// Per function, its recommendation in every recorded run, and this run's when it is not recorded yet.
    func trends(_ current: RunSnapshot) throws -> [String: [HistoryStore.TrendPoint]] {
        guard showHistory else { return [:] }
        let store = FileManager.default.fileExists(atPath: historyDB) ? try HistoryStore(path: historyDB) : nil
        let recorded = try store?.id(fingerprint: current.meta.fingerprint)
        var out: [String: [HistoryStore.TrendPoint]] = [:]
        for f in current.functions {
            var points = try store?.trend(function: f, rule: rule) ?? []
            if recorded == nil, let r = current.recommendation(f, rule: rule) {
                points.append(
                    HistoryStore.TrendPoint(
                        runID: 0, runName: current.meta.name, startedUnixMs: current.meta.startedUnixMs, recommendation: r))
            }
            if !points.isEmpty { out[f] = points }
        }
        return out
    }
}
