import ArgumentParser
import Foundation
import Records
import Rendering

@main
struct Report: ParsableCommand {
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

    /// Usage errors exit with 2 (the project's convention) instead of ArgumentParser's 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data("report: \(message(for: error)) (see report --help)\n".utf8))
                Foundation.exit(ExitStatus.badInput)
            }
            exit(withError: error)
        }
    }

    func run() throws {
        TemporaryFiles.removeOnInterrupt()
        do {
            let document = try ReportDocument.load(modelsPath: models, logsPath: logs, invocationsPath: invocations)
            var file = try OutputFile(path: output)
            try file.write(document.render())
            try file.commit()
        } catch let e as InputError {
            FileHandle.standardError.write(Data("report: \(e)\n".utf8))
            throw ExitCode(ExitStatus.badInput)
        }
    }
}
