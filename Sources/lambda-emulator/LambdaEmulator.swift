import ArgumentParser
import Emulation
import Foundation
import ToolSupport

#if canImport(Glibc)
import Glibc
#endif

/// A local AWS Lambda + CloudWatch Logs that really runs functions.
@main
struct LambdaEmulator: AsyncRightsizeTool {
    static let configuration = CommandConfiguration(
        commandName: "lambda-emulator",
        abstract: "Serve the Lambda and CloudWatch Logs APIs locally, running functions in worker processes.",
        discussion: """
            Functions get CPU in proportion to memory (memory/1769 of a core) and a memory limit, \
            enforced by cgroups where writable. Use it with --endpoint-url and the printed credentials. \
            Stop with SIGINT or SIGTERM. See docs/lambda-emulator.md.
            """)

    @Option(help: "Address to listen on.")
    var host = EmulatorOptions().host

    @Option(help: "Port to listen on; 0 lets the OS choose a free one.")
    var port = EmulatorOptions().port

    @Option(
        name: .customLong("port-file"), help: ArgumentHelp("Write the port actually used to this file once listening.", valueName: "path"))
    var portFile: String?

    @Option(
        name: .customLong("state-dir"),
        help: ArgumentHelp(
            "Directory for the log database (kept across restarts; default: ~/.local/state/rightsize/lambda-emulator).", valueName: "dir"))
    var stateDir = EmulatorOptions().stateDirectory

    @Option(help: ArgumentHelp("Functions file (JSON); default: the built-in copy of data/emulator/functions.json.", valueName: "file"))
    var config: String?

    @Flag(name: .customLong("no-auth"), help: "Accept requests without checking their SigV4 signature.")
    var noAuth = false

    @Option(
        name: .customLong("access-key-id"),
        help:
            "Access key id clients must sign with (default AKIDLOCALEMULATOR); repeat, each with its --secret-access-key-file, to accept several."
    )
    var accessKeyId: [String] = []

    @Option(
        name: .customLong("secret-access-key-file"),
        help: ArgumentHelp("File holding the secret key clients must sign with (default: local-emulator-secret-key).", valueName: "file"))
    var secretAccessKeyFile: [String] = []

    @Option(help: "Region in ARNs and log messages.")
    var region = EmulatorOptions().region

    @Option(name: .customLong("log-delay-ms"), help: "Mean delay before a log event is visible to the Logs API, in ms (0 = immediately).")
    var logDelayMs = EmulatorOptions().logDelayMeanMs

    @Option(help: "Seed of the log propagation delays.")
    var seed: UInt64 = EmulatorOptions().seed

    @Option(name: .customLong("update-delay-ms"), help: "How long a configuration update stays InProgress, in ms.")
    var updateDelayMs = EmulatorOptions().updateDelayMs

    @Option(name: .customLong("idle-timeout-s"), help: "Retire an execution environment after this many idle seconds.")
    var idleTimeoutS = EmulatorOptions().idleTimeoutSeconds

    @Option(name: .customLong("logs-rate-limit"), help: "CloudWatch Logs requests per second before ThrottlingException (0 = unlimited).")
    var logsRateLimit = EmulatorOptions().logsRateLimit

    @Option(name: .customLong("concurrency-limit"), help: "Concurrent executions before TooManyRequestsException.")
    var concurrencyLimit = EmulatorOptions().concurrencyLimit

    @Option(help: ArgumentHelp("How workers are limited: auto, cgroup or duty-cycle (SIGSTOP/SIGCONT + RSS watchdog).", valueName: "mode"))
    var isolation = "auto"

    @Option(name: .customLong("max-connections"), help: "Open connections before new ones are answered 503 and closed.")
    var maxConnections = ConnectionLimits().maxConnections

    @Option(
        name: .customLong("request-timeout-s"),
        help: "Close a connection whose request has not arrived whole this many seconds after its first byte.")
    var requestTimeoutS = ConnectionLimits().requestTimeoutSeconds

    @Option(name: .customLong("connection-idle-timeout-s"), help: "Close a keep-alive connection idle for this many seconds.")
    var connectionIdleTimeoutS = ConnectionLimits().idleTimeoutSeconds

    @Option(
        name: .customLong("init-timeout-s"),
        help: "A user runtime that has not called its Runtime API's next this many seconds after it started fails with Runtime.InitError.")
    var initTimeoutS = EmulatorOptions().initTimeoutSeconds

    @Option(
        help: ArgumentHelp(
            "The Python that runs python3.x functions (default: the first python3 on PATH that has awslambdaric).", valueName: "path"))
    var python: String?

    @Option(
        name: .customLong("runtime-bootstrap"),
        help: ArgumentHelp("Internal: wait on fd 3, then exec this user runtime bootstrap.", visibility: .private))
    var runtimeBootstrap: String?

    @Option(
        name: .customLong("runtime-argument"),
        help: ArgumentHelp("Internal: an argument of the user runtime bootstrap.", visibility: .private))
    var runtimeArguments: [String] = []

    @Option(
        name: .customLong("worker-handler"), help: ArgumentHelp("Internal: run as a worker process for this handler.", visibility: .private)
    )
    var workerHandler: String?

    @Option(
        name: .customLong("worker-work-scale"), help: ArgumentHelp("Internal: the worker's work scale.", visibility: .private))
    var workerWorkScale: Double = 1

    func run() async throws {
        if let workerHandler { WorkerMain.run(handler: workerHandler, workScale: workerWorkScale) }
        if let runtimeBootstrap { RuntimeBootstrap.execAfterGate(runtimeBootstrap, arguments: runtimeArguments) }
        let options: EmulatorOptions
        do {
            options = try makeOptions()
        } catch let error as ValidationError {
            throw error
        } catch {
            StandardError.line("lambda-emulator", "\(error)")
            throw ExitCode(ExitStatus.badInput)
        }
        let emulator: RunningEmulator
        do {
            emulator = try await Emulator.start(options)
        } catch {
            StandardError.line("lambda-emulator", "\(error)")
            throw ExitCode(ExitStatus.failure)
        }
        // Runs until SIGINT or SIGTERM, then stops everything it started.
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        let handlers = InterruptSignals { continuation.yield($0) }
        for await sig in signals {
            StandardError.line("lambda-emulator", "stopping (\(sig == SIGINT ? "SIGINT" : "SIGTERM"))")
            break
        }
        handlers.cancel()
        await emulator.stop()
        // What a closed-loop run checks afterwards: never more in flight than it meant.
        for line in emulator.statistics().summaryLines { StandardError.line("lambda-emulator", line) }
    }

    func makeOptions() throws -> EmulatorOptions {
        var o = EmulatorOptions()
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
        guard concurrencyLimit >= 1 else { throw ValidationError("--concurrency-limit must be at least 1") }
        guard logDelayMs >= 0, updateDelayMs >= 0, idleTimeoutS > 0, logsRateLimit >= 0, initTimeoutS > 0 else {
            throw ValidationError("delays, rates and timeouts must not be negative")
        }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        guard requestTimeoutS > 0, connectionIdleTimeoutS > 0 else {
            throw ValidationError("--request-timeout-s and --connection-idle-timeout-s must be positive")
        }
        guard let mode = IsolationMode(rawValue: isolation) else { throw ValidationError("--isolation must be auto, cgroup or duty-cycle") }
        o.host = host
        o.port = port
        o.portFile = portFile
        // Absolute: deployed code is recorded by its path, and a function's LAMBDA_TASK_ROOT is absolute.
        o.stateDirectory = stateDir.hasPrefix("/") ? stateDir : FileManager.default.currentDirectoryPath + "/" + stateDir
        o.region = region
        o.pythonExecutable = python
        o.logDelayMeanMs = logDelayMs
        o.seed = seed
        o.updateDelayMs = updateDelayMs
        o.idleTimeoutSeconds = idleTimeoutS
        o.initTimeoutSeconds = initTimeoutS
        o.logsRateLimit = logsRateLimit
        o.concurrencyLimit = concurrencyLimit
        o.isolation = mode
        o.connections.maxConnections = maxConnections
        o.connections.requestTimeoutSeconds = requestTimeoutS
        o.connections.idleTimeoutSeconds = connectionIdleTimeoutS
        if let config {
            guard let data = FileManager.default.contents(atPath: config) else {
                throw EmulatorError("\(config): cannot read")
            }
            o.config = try EmulatorConfig.parse(Array(data), file: config)
            try o.config.unpackArchives(stateDirectory: o.stateDirectory)
        }
        if noAuth {
            o.credentials = nil
        } else {
            guard accessKeyId.count <= 1 || accessKeyId.count == secretAccessKeyFile.count else {
                throw EmulatorError("give one --secret-access-key-file for each --access-key-id")
            }
            var secrets: [String] = []
            for file in secretAccessKeyFile {
                guard let data = FileManager.default.contents(atPath: file) else { throw EmulatorError("\(file): cannot read") }
                secrets.append(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            }
            let keys = accessKeyId.isEmpty ? [o.config.accessKeyId ?? EmulatorOptions.defaultAccessKeyId] : accessKeyId
            let defaultSecret = o.config.secretAccessKey ?? EmulatorOptions.defaultSecretAccessKey
            o.credentials = [:]
            for (k, key) in keys.enumerated() { o.credentials?[key] = k < secrets.count ? secrets[k] : defaultSecret }
        }
        return o
    }
}
