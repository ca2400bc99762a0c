import ArgumentParser

// In progress: replaced by the fit benchmark.
struct FitBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fit", abstract: "Fit benchmark (in progress).")
    func run() throws { print("fit: not implemented yet") }
}
