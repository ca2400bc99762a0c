import ArgumentParser

// In progress: replaced by the emulator benchmark.
struct EmulatorBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "emulator", abstract: "Emulator benchmark (in progress).")
    func run() throws { print("emulator: not implemented yet") }
}
