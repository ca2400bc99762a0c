import ArgumentParser

// In progress: replaced by the report benchmark.
struct ReportBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Report benchmark (in progress).")
    func run() throws { print("report: not implemented yet") }
}
