import ArgumentParser

// In progress: replaced by the logs benchmark.
struct LogsBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Logs benchmark (in progress).")
    func run() throws { print("logs: not implemented yet") }
}
