import Foundation

/// The configuration an environment was started with (an environment never changes it).
struct EnvironmentSpec: Sendable, Equatable {
    var function: String
    var handler: String
    var memoryMB: Int
    var timeoutSeconds: Double
    /// The size of the environment's /tmp (Lambda's `EphemeralStorage`), which caps scratch files.
    var ephemeralStorageMB: Int = FunctionDefinition.ephemeralStorageMB
    /// The function's `work_scale` (1 = as written).
    var workScale: Double = 1
    /// The function's own variables (`Environment.Variables`).
    var variables: [String: String] = [:]
    /// For `AWS_REGION` in the worker's environment.
    var region = EmulatorOptions.defaultRegion
    /// Bumped by every configuration update; environments of older generations retire.
    var generation: Int
    /// A user's function: its runtime (`provided.al2023`, ...) and unpacked code; nil for a built-in handler.
    var code: FunctionCode? = nil
    /// `$LATEST`, or a published version's number: what the environment's logs and
    /// `AWS_LAMBDA_FUNCTION_VERSION` say, and whose idle environments it rejoins.
    var version = "$LATEST"
}

extension EnvironmentSpec {
    init(_ definition: FunctionDefinition, region: String, generation: Int) {
        self.init(
            function: definition.name, handler: definition.handler, memoryMB: definition.memoryMB,
            timeoutSeconds: Double(definition.timeoutSeconds), workScale: definition.workScale,
            variables: definition.environment, region: region, generation: generation, code: definition.code)
    }
}

/// How one invocation ended inside an environment.
struct InvocationOutcome: Sendable {
    enum Status: Sendable, Equatable {
        case success, functionError, timeout, outOfMemory
        case crashed(String)
        /// A user runtime failed its init (`/runtime/init/error`, or no `next` within the
        /// init timeout): the error type for REPORT; the body is the answer.
        case initError(String)
    }
    var status: Status
    var body: [UInt8]
    /// A built-in handler's output, logged as `<time>\t<id>\tINFO\t<line>`.
    var functionLog: String
    /// A user runtime's stdout and stderr, logged line by line as printed (Lambda adds no
    /// prefix to a `provided` runtime's output).
    var runtimeLog: [LogLine] = []
    var durationMs: Double
    var maxMemoryMB: Int
    /// The worker is gone (timeout, OOM, crash): the environment must not be reused.
    var environmentDied: Bool
}

/// What the pool leases to one invocation at a time: a built-in handler's worker
/// (`WorkerEnvironment`) or a user's runtime process tree (`RuntimeEnvironment`).
///
/// Both run in the same cgroup machinery (`ResourceControl`), start with `Spawner`'s
/// process hygiene, and end with everything they started.
protocol ExecutionEnvironment: AnyObject, Sendable {
    var id: String { get }
    var spec: EnvironmentSpec { get }
    var logStream: String { get }
    var initDurationMs: Double { get }
    var isDead: Bool { get }
    var lastUsedMonotonicMs: Double { get }
    /// Lines printed before the first invocation (a user runtime's init output): logged before START.
    var initLog: [LogLine] { get }
    /// Completes the cold start (blocking). A user runtime whose init fails does not throw:
    /// its first invocation answers the init error, as on Lambda.
    func awaitReady() throws
    /// Runs one invocation, blocking the calling thread.
    func invoke(_ request: InvocationRequest) -> InvocationOutcome
    /// Ends the environment and everything it started. Safe to call more than once.
    func terminate()
}

/// One log event: when, and the text.
typealias LogLine = (timestamp: Int64, message: String)

/// One invocation as the environment receives it.
struct InvocationRequest: Sendable {
    var payload: [UInt8]
    var requestId: String
    /// `X-Amz-Client-Context`, decoded from base64 (the Runtime API passes it on as JSON).
    var clientContext: String? = nil
    /// The qualifier the caller named (a version, an alias, `$LATEST`), nil for none: the
    /// runtime's `Lambda-Runtime-Invoked-Function-Arn` ends with it, as on Lambda.
    var invokedQualifier: String? = nil
}

enum EnvironmentStartError: Error, CustomStringConvertible {
    case spawn(String)
    case initFailed(String)
    var description: String {
        switch self {
        case .spawn(let s): return "cannot start worker: \(s)"
        case .initFailed(let s): return "worker failed to initialise: \(s)"
        }
    }
}
