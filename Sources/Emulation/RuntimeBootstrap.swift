import CLinux
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a user runtime's process is started with, and how it is started.
public enum RuntimeBootstrap {
    /// Where the gate is: the child waits for one byte here before it becomes the bootstrap.
    static let gateFD: Int32 = 3
    /// Lambda's PATH and library path for OS-only runtimes (/var/runtime and /opt are layers'
    /// and the runtime's places on Lambda; here they are simply absent).
    static let path = "/usr/local/bin:/usr/bin/:/bin:/opt/bin"

    /// The environment Lambda gives a runtime: the function's variables, then Lambda's own
    /// (a function's variables cannot override them: Lambda reserves those names). Nothing of
    /// the emulator's own environment leaks in, as nothing of Lambda's host does.
    static func environment(
        spec: EnvironmentSpec, code: FunctionCode, logStream: String, scratchDirectory: String, runtimeAPI: String,
        context: RuntimeContext
    ) -> [String] {
        var variables = spec.variables
        var lambda: [String: String] = [
            "PATH": path, "LANG": "en_US.UTF-8", "TZ": ":UTC",
            "LD_LIBRARY_PATH": "/lib64:/usr/lib64:\(code.directory):\(code.directory)/lib:/opt/lib",
            "LAMBDA_TASK_ROOT": code.directory, "LAMBDA_RUNTIME_DIR": code.directory,
            "_HANDLER": spec.handler, "AWS_LAMBDA_RUNTIME_API": runtimeAPI,
            "AWS_REGION": spec.region, "AWS_DEFAULT_REGION": spec.region,
            "AWS_LAMBDA_FUNCTION_NAME": spec.function, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": String(spec.memoryMB),
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version, "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/\(spec.function)", "AWS_LAMBDA_LOG_STREAM_NAME": logStream,
            // The environment's own capped /tmp (there is no mount namespace to put it at /tmp).
            "TMPDIR": scratchDirectory,
            // So the function's AWS SDK calls (a nested Invoke, Logs) reach this emulator, signed
            // with credentials it accepts, as a role's would on Lambda.
            "AWS_ENDPOINT_URL": context.emulatorURL,
        ]
        if PythonRuntime.isPython(code.runtime) {
            // What Lambda's Python runtimes set: the runtime's name (awslambdaric reads it),
            // and the code on the module path of the function's own subprocesses too.
            lambda["AWS_EXECUTION_ENV"] = "AWS_Lambda_\(code.runtime)"
            lambda["PYTHONPATH"] = code.directory
            // Lambda's task root is read-only, so Python writes no byte-code there; here it is
            // the user's folder (a functions file's "code"), which must stay as it is.
            lambda["PYTHONDONTWRITEBYTECODE"] = "1"
        }
        if let credentials = context.credentials {
            lambda["AWS_ACCESS_KEY_ID"] = credentials.accessKeyId
            lambda["AWS_SECRET_ACCESS_KEY"] = credentials.secretAccessKey
        }
        variables.merge(lambda) { _, reserved in reserved }
        return variables.map { "\($0.key)=\($0.value)" }.sorted()
    }

    /// The hidden `--runtime-bootstrap PATH` mode of the emulator's binary: the spawned child
    /// waits on the gate until the emulator has put it into the environment's cgroup, then
    /// becomes the bootstrap (exec, same process), so neither it nor anything it starts ever
    /// runs outside the CPU and memory limits. It exits if the emulator goes away first.
    public static func execAfterGate(_ bootstrap: String, arguments: [String] = []) -> Never {
        var byte: UInt8 = 0
        var n = 0
        repeat { n = read(gateFD, &byte, 1) } while n < 0 && errno == EINTR
        guard n == 1 else { exit(0) }
        close(gateFD)
        if let root = ProcessInfo.processInfo.environment["LAMBDA_TASK_ROOT"] { _ = chdir(root) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([bootstrap] + arguments).map { strdup($0) } + [nil]
        execv(bootstrap, argv)
        let message = "lambda-emulator: cannot start \(bootstrap): \(String(cString: strerror(errno)))\n"
        _ = PipeIO.writeAll(2, Array(message.utf8))
        exit(127)
    }
}

/// What every user runtime of this emulator is started with, besides its function's settings.
struct RuntimeContext: Sendable {
    /// The emulator's binary, whose `--runtime-bootstrap` mode starts a bootstrap behind the gate.
    var executable: String
    /// The public endpoint (`AWS_ENDPOINT_URL` of the functions).
    var emulatorURL: String
    /// A key pair the emulator accepts, or nil under `--no-auth`.
    var credentials: (accessKeyId: String, secretAccessKey: String)?
    /// The function's ARN without a qualifier (each invocation adds the one it was invoked by).
    var functionArn: String
    /// How long a runtime may take to call `next` the first time (Lambda's init phase: 10 s).
    var initTimeoutSeconds: Double
    /// The host's Python, for `python3.x` functions.
    var python: PythonInterpreter
}
