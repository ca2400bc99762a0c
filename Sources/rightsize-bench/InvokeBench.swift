import ArgumentParser

// In progress: replaced by the invoke benchmark.
struct InvokeBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "invoke", abstract: "Invoke benchmark (in progress).")
    func run() throws { print("invoke: not implemented yet") }
}
