import ArgumentParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `main` every rightsize tool shares, so that each exits the documented way:
/// 0 success, 1 runtime failure, 2 bad usage or input (one line, `tool: file:line: field:
/// problem`, instead of ArgumentParser's status 64 and usage text), 3 await-logs' timeout.
/// An `InputError` that reaches `main` is bad input; any other error keeps ArgumentParser's
/// handling (help, version, `ExitCode`).
public protocol RightsizeTool: ParsableCommand {}
public protocol AsyncRightsizeTool: AsyncParsableCommand {}

extension RightsizeTool {
    public static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            ToolExit.handle(error, for: Self.self)
        }
    }
}

extension AsyncRightsizeTool {
    public static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            ToolExit.handle(error, for: Self.self)
        }
    }
}

enum ToolExit {
    static func handle(_ error: any Error, for command: any ParsableCommand.Type) -> Never {
        let name = command.configuration.commandName ?? "\(command)"
        if let input = error as? InputError {
            StandardError.line(name, "\(input)")
            exit(ExitStatus.badInput)
        }
        if command.exitCode(for: error) == .validationFailure {
            StandardError.line(name, "\(command.message(for: error)) (see \(name) --help)")
            exit(ExitStatus.badInput)
        }
        command.exit(withError: error)
    }
}
