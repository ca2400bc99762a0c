import Clocks
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The worker side of an execution environment: a child process (the emulator's own
/// binary in its hidden worker mode) that runs one function, one request at a time.
///
/// It reads request frames on fd 3 and writes responses on fd 4 (stdout stays free for
/// stray prints). It exits when the emulator closes the request pipe or goes away.
public enum WorkerMain {
    public static let requestFD: Int32 = 3
    public static let responseFD: Int32 = 4
    /// The byte a worker sends once its runtime is initialised (end of the cold start).
    static let readyByte: UInt8 = 0x52
    /// How the environment's /tmp and its size reach the worker.
    static let storageVariable = "LAMBDA_EMULATOR_EPHEMERAL_STORAGE_MB"

    /// A worker's environment: the server's, then the function's variables, then what Lambda
    /// sets in every environment (`AWS_REGION`, `AWS_LAMBDA_FUNCTION_NAME`, ...,
    /// `AWS_LAMBDA_LOG_STREAM_NAME`, from which `stat` and saaf_hello tell environments apart),
    /// then the emulator's own: its TMPDIR and size, and Swift's crash backtracer off. The
    /// backtracer would keep a crashed worker alive for seconds (under the function's CPU share)
    /// and outlive a killed one, holding the environment's cgroup. Later entries win.
    static func environment(spec: EnvironmentSpec, logStream: String, scratchDirectory: String) -> [String] {
        var variables = ProcessInfo.processInfo.environment
        variables.merge(spec.variables) { _, function in function }
        let lambda = [
            "AWS_REGION": spec.region, "AWS_DEFAULT_REGION": spec.region,
            "AWS_LAMBDA_FUNCTION_NAME": spec.function, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": String(spec.memoryMB),
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version, "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/\(spec.function)", "AWS_LAMBDA_LOG_STREAM_NAME": logStream,
            "_HANDLER": spec.handler,
            "TMPDIR": scratchDirectory, storageVariable: String(spec.ephemeralStorageMB), "SWIFT_BACKTRACE": "enable=no",
        ]
        variables.merge(lambda) { _, emulator in emulator }
        return variables.map { "\($0.key)=\($0.value)" }.sorted()
    }

    /// The environment's /tmp, as the server set it up.
    static var scratchDirectory: String { ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp" }
    static var ephemeralStorageMB: Int {
        ProcessInfo.processInfo.environment[storageVariable].flatMap { Int($0) } ?? FunctionDefinition.ephemeralStorageMB
    }

    public static func run(handler name: String, workScale: Double = 1) -> Never {
        let started = WallClock.unixMilliseconds()
        guard let handler = FunctionHandler(name: name, startedMs: started, workScale: workScale) else {
            FileHandle.standardError.write(Data("lambda-emulator worker: unknown handler \(name)\n".utf8))
            exit(3)
        }
        watchParent()
        guard PipeIO.writeAll(responseFD, [readyByte]) else { exit(0) }
        var invocation = 0
        while let payload = PipeIO.readFrame(requestFD) {
            invocation += 1
            let response = handler.handle(payload, invocation: invocation)
            guard PipeIO.writeAll(responseFD, response.encoded()) else { exit(0) }
        }
        exit(0)
    }

    /// Exits when the emulator dies, even in the middle of a long computation, so a
    /// killed emulator never leaves workers behind.
    private static func watchParent() {
        let parent = getppid()
        let thread = Thread {
            while true {
                if getppid() != parent { exit(0) }
                usleep(50_000)
            }
        }
        thread.start()
    }
}
