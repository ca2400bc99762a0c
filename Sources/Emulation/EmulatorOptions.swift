import Foundation

/// Everything the emulator needs to start, as given on its command line.
public struct EmulatorOptions: Sendable {
    public static let defaultAccessKeyId = "AKIDLOCALEMULATOR"
    public static let defaultSecretAccessKey = "local-emulator-secret-key"
    public static let defaultRegion = "us-east-1"
    public static let accountId = "000000000000"
    /// Lambda's request payload limit for synchronous invocations (6 MB).
    public static let maxPayloadBytes = 6_291_456
    /// The limit for asynchronous (`Event`) invocations (1 MB).
    public static let maxEventPayloadBytes = 1_048_576

    public var host = "127.0.0.1"
    public var port = 9000
    public var portFile: String?
    /// The log database's folder: outside the caller's working tree, kept across restarts.
    public var stateDirectory = EmulatorOptions.defaultStateDirectory
    public var config = EmulatorConfig.defaultConfig()
    /// nil = `--no-auth`.
    public var credentials: [String: String]? = [defaultAccessKeyId: defaultSecretAccessKey]
    public var region = defaultRegion
    public var logDelayMeanMs = 2000.0
    public var seed: UInt64 = 1
    public var updateDelayMs = 1000.0
    public var idleTimeoutSeconds = 300.0
    /// How long a user runtime may take to call `next` the first time: Lambda's init phase, 10 s.
    public var initTimeoutSeconds = 10.0
    public var logsRateLimit = 5.0
    public var concurrencyLimit = 64
    public var isolation = IsolationMode.auto
    public var connections = ConnectionLimits()
    /// The binary started for workers (this executable, in its hidden worker mode).
    public var workerExecutable = "/proc/self/exe"
    /// The Python that runs `python3.x` functions (`--python`); nil: the first `python3` on
    /// PATH that has awslambdaric.
    public var pythonExecutable: String?

    public init() {}

    /// A function's unqualified ARN in this emulator's region and account.
    func functionArn(_ name: String) -> String { "arn:aws:lambda:\(region):\(Self.accountId):function:\(name)" }

    /// `$XDG_STATE_HOME/rightsize/lambda-emulator`, or `~/.local/state/rightsize/lambda-emulator`
    /// (the XDG base directory for state that should survive a restart).
    public static var defaultStateDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/rightsize/lambda-emulator" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/rightsize/lambda-emulator"
    }
}
