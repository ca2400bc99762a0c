import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A running `lambda-emulator` for tests: the built binary on a port chosen by the OS,
/// with a fresh state directory and short delays. Stop it with `stop()` (SIGTERM);
/// it is also stopped when released, so a failing test leaves no server behind.
///
///     let emulator = try LocalEmulator.start()
///     defer { emulator.stop() }
///     // emulator.endpoint == "http://127.0.0.1:PORT", emulator.environment has AWS_* for child tools
public final class LocalEmulator: @unchecked Sendable {  // mutable state guarded by `lock`
    public static let accessKeyId = "AKIDLOCALEMULATOR"
    public static let secretAccessKey = "local-emulator-secret-key"
    public static let region = "us-east-1"
    /// Flags tests start with unless overridden (later flags win): short delays so tests stay fast.
    public static let testDefaults = ["--log-delay-ms", "300", "--update-delay-ms", "300", "--idle-timeout-s", "60"]

    public let port: Int
    public let endpoint: String
    public let stateDirectory: String
    public let pid: Int32
    public var accessKeyId: String { Self.accessKeyId }
    public var secretAccessKey: String { Self.secretAccessKey }
    public var region: String { Self.region }
    /// Where the emulator's stdout and stderr go.
    public let outputPath: String, errorPath: String

    private let process: Process
    private let ownsStateDirectory: Bool
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Environment for child processes (aws CLI, invoke, await-logs) pointing at this emulator,
    /// to merge over the inherited one (make sure AWS_PROFILE and AWS_SESSION_TOKEN are not set).
    public var environment: [String: String] {
        [
            "AWS_ACCESS_KEY_ID": Self.accessKeyId, "AWS_SECRET_ACCESS_KEY": Self.secretAccessKey,
            "AWS_DEFAULT_REGION": Self.region, "AWS_REGION": Self.region, "AWS_ENDPOINT_URL": endpoint,
        ]
    }

    /// Starts the emulator and waits until it listens. `arguments` are added after the
    /// test defaults (so they override them); `stateDirectory` nil = a fresh temporary one.
    public static func start(
        _ arguments: [String] = [], stateDirectory: String? = nil,
        timeoutSeconds: Double = 30
    ) throws -> LocalEmulator {
        let dir = try stateDirectory ?? TemporaryDirectory("lambda-emulator").path
        let portFile = dir + "/port-\(UUID().uuidString.prefix(8))"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Tools.path("lambda-emulator"))
        process.arguments = ["--port", "0", "--port-file", portFile, "--state-dir", dir] + testDefaults + arguments
        let out = dir + "/stdout-\(UUID().uuidString.prefix(8)).txt"
        let err = dir + "/stderr-\(UUID().uuidString.prefix(8)).txt"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return LocalEmulator(
                    process: process, port: port, stateDirectory: dir, ownsStateDirectory: stateDirectory == nil,
                    outputPath: out, errorPath: err)
            }
            if !process.isRunning {
                let message = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
                throw StartFailure(description: "lambda-emulator exited with status \(process.terminationStatus): \(message)")
            }
            usleep(10_000)
        }
        process.terminate()
        throw StartFailure(description: "lambda-emulator did not write its port file within \(timeoutSeconds) s")
    }

    public struct StartFailure: Error, CustomStringConvertible { public var description: String }

    private init(process: Process, port: Int, stateDirectory: String, ownsStateDirectory: Bool, outputPath: String, errorPath: String) {
        self.process = process
        self.port = port
        self.endpoint = "http://127.0.0.1:\(port)"
        self.stateDirectory = stateDirectory
        self.ownsStateDirectory = ownsStateDirectory
        self.pid = process.processIdentifier
        self.outputPath = outputPath
        self.errorPath = errorPath
    }

    /// Sends `signal` (SIGTERM by default), waits for the exit and returns the exit status.
    /// Removes the temporary state directory unless `keepState`.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, keepState: Bool = false) -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let status = process.terminationStatus
        exitStatus = status
        if ownsStateDirectory && !keepState { try? FileManager.default.removeItem(atPath: stateDirectory) }
        return status
    }

    /// The emulator's standard output so far (its banner).
    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    public var errors: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// Process ids of the emulator's worker processes (its children) right now.
    public var workerPids: [Int32] { Processes.children(of: pid) }

    deinit { stop() }
}
