import ArgumentParser

// In progress: replaced by the plan benchmark.
struct PlanBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Plan benchmark (in progress).")
    func run() throws { print("plan: not implemented yet") }
}
