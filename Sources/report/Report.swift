import ArgumentParser
import Foundation
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

    func run() throws {
        TemporaryFiles.removeOnInterrupt()
        let document = try ReportDocument.load(modelsPath: models, logsPath: logs, invocationsPath: invocations)
        var file = try OutputFile(path: output)
        try file.write(document.render())
        try file.commit()
    }
}
