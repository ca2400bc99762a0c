import Foundation
import JSON
import ToolSupport

/// One function the emulator serves.
public struct FunctionDefinition: Sendable, Equatable {
    public var name: String
    public var handler: String
    public var memoryMB: Int
    public var timeoutSeconds: Int
    public var description: String
    /// Multiplies the work of every call (sleep times, cpu steps): 1.2 makes the function 20%
    /// slower, to check that a comparison notices (docs/compare.md).
    public var workScale: Double
    /// The function's environment variables (`Environment.Variables`), given to every worker
    /// it starts; validated as Lambda validates them (`EnvironmentVariables.validate`).
    public var environment: [String: String]
    /// A user's code and runtime; nil for a built-in handler (`handler` names it).
    public var code: FunctionCode?
    /// The execution role CreateFunction named (shown, never assumed: there is no IAM here).
    public var role = "arn:aws:iam::\(EmulatorOptions.accountId):role/lambda-emulator"
    /// Every environment's /tmp: Lambda's default `EphemeralStorage` (512 MB).
    public static let ephemeralStorageMB = 512
    /// Lambda's limit on `Description`.
    public static let maxDescriptionLength = 256

    public init(
        name: String, handler: String, memoryMB: Int, timeoutSeconds: Int, description: String = "", workScale: Double = 1,
        environment: [String: String] = [:], code: FunctionCode? = nil
    ) {
        self.code = code
        self.workScale = workScale
        self.environment = environment
        self.name = name
        self.handler = handler
        self.memoryMB = memoryMB
        self.timeoutSeconds = timeoutSeconds
        self.description = description
    }
}

/// A user's function code: the runtime that starts it and the directory its code is in
/// (`LAMBDA_TASK_ROOT`), as unpacked from a zip or named by the functions file.
public struct FunctionCode: Sendable, Equatable {
    public var runtime: String
    public var directory: String
    /// The zip the functions file named, unpacked into `directory` when the emulator starts.
    public var archive: String?

    /// The OS-only runtimes: the code's `bootstrap` executable is the runtime.
    public static let providedRuntimes = ["provided.al2023", "provided.al2"]
    public static let supportedRuntimes = providedRuntimes + PythonRuntime.runtimes

    /// Whether the code's own `bootstrap` is the runtime (else the emulator starts Python's).
    var runsOwnBootstrap: Bool { Self.providedRuntimes.contains(runtime) }

    /// A `provided` package without its `bootstrap`, in Lambda's terms.
    static func noBootstrap(_ runtime: String) -> String {
        "The deployment package has no bootstrap file at its root: runtime \(runtime) starts the function's own bootstrap executable."
    }

    /// Lambda's name for the host's architecture (`x86_64` or `arm64`): the only one whose code runs here.
    public static let hostArchitecture: String = {
        var u = utsname()
        guard uname(&u) == 0 else { return "x86_64" }
        let machine = withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return machine == "aarch64" || machine == "arm64" ? "arm64" : "x86_64"
    }()

    public init(runtime: String, directory: String, archive: String? = nil) {
        self.runtime = runtime
        self.directory = directory
        self.archive = archive
    }
}

/// An API-Gateway-style route: `POST /{stage}/{resource}` invokes `function`.
public struct GatewayRoute: Sendable, Equatable {
    public var stage: String
    public var resource: String
    public var function: String

    public init(stage: String, resource: String, function: String) {
        self.stage = stage
        self.resource = resource
        self.function = function
    }
}

/// The functions file (`--config`; data/emulator/functions.json is the default,
/// also embedded so the binary works from anywhere).
public struct EmulatorConfig: Sendable, Equatable {
    public var functions: [FunctionDefinition]
    public var routes: [GatewayRoute]
    /// Optional credentials from the file (flags take precedence).
    public var accessKeyId: String?
    public var secretAccessKey: String?

    public static let memoryRange = 128...10240
    public static let timeoutRange = 1...900

    /// Same content as data/emulator/functions.json (a test keeps them equal).
    public static let defaultText = """
        {
          "functions": [
            { "name": "faas_measure", "handler": "faas_measure", "memory_mb": 128, "timeout_s": 30,
              "description": "The faas_measure command set: sleep, sleep_till, cpu, cpuu, io, stat, alloc, env (net answers an error)." },
            { "name": "faas_sleep", "handler": "sleep", "memory_mb": 128, "timeout_s": 30,
              "description": "Sleep-bound: sleeps {\\"ms\\": N} milliseconds (default 100)." },
            { "name": "saaf_hello", "handler": "saaf_hello", "memory_mb": 128, "timeout_s": 30,
              "description": "SAAF's hello function: {\\"name\\": \\"Bob\\"} answers \\"Hello Bob!\\" with the Inspector's metrics." }
          ],
          "routes": [
            { "stage": "default", "resource": "faas_measure", "function": "faas_measure" },
            { "stage": "default", "resource": "faas_sleep", "function": "faas_sleep" },
            { "stage": "default", "resource": "saaf_hello", "function": "saaf_hello" }
          ]
        }
        """

    public static func defaultConfig() -> EmulatorConfig {
        // The embedded text is checked by a test, so this cannot fail.
        try! parse(Array(defaultText.utf8), file: "<default>")
    }

    /// Parses a functions file; errors are `InputError(file, line, field, problem)`.
    public static func parse(_ bytes: [UInt8], file: String) throws -> EmulatorConfig {
        let root: JSONNode
        do { root = try JSONTree.parse(bytes) } catch let error as JSONSyntaxError {
            throw InputError(file: file, line: error.line, field: error.path.isEmpty ? nil : error.path, problem: error.problem)
        }
        func fail(_ field: String, _ problem: String, _ node: JSONNode? = nil) -> InputError {
            InputError(file: file, line: (node ?? root).line, field: field, problem: problem)
        }
        guard case .object = root.value else { throw fail("functions", "expected an object with \"functions\"") }
        guard let list = root["functions"]?.array, !list.isEmpty else {
            throw fail("functions", "expected a non-empty array", root["functions"])
        }
        var functions: [FunctionDefinition] = []
        for (i, item) in list.enumerated() {
            let at = "functions[\(i)]"
            guard let name = item["name"]?.string, !name.isEmpty,
                name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            else {
                throw fail(at + ".name", "expected a function name (letters, digits, - and _)", item["name"] ?? item)
            }
            guard !functions.contains(where: { $0.name == name }) else {
                throw fail(at + ".name", "duplicate function \"\(name)\"", item["name"])
            }
            let code = try parseCode(item, at: at, file: file, fail: fail)
            let handler = item["handler"]?.string ?? (code == nil ? name : "bootstrap")
            guard code != nil || FunctionHandler.known.contains(handler) else {
                throw fail(
                    at + ".handler", "unknown handler \"\(handler)\" (known: \(FunctionHandler.known.joined(separator: ", ")))",
                    item["handler"] ?? item)
            }
            let memory = item["memory_mb"].map { $0.int } ?? 128
            guard let memory, memoryRange.contains(memory) else {
                throw fail(at + ".memory_mb", "expected an integer in 128...10240", item["memory_mb"])
            }
            let timeout = item["timeout_s"].map { $0.int } ?? 3
            guard let timeout, timeoutRange.contains(timeout) else {
                throw fail(at + ".timeout_s", "expected an integer in 1...900", item["timeout_s"])
            }
            let scale = item["work_scale"].map { $0.double } ?? 1
            guard let scale, (0.1...10).contains(scale) else {
                throw fail(at + ".work_scale", "expected a number in 0.1...10", item["work_scale"])
            }
            let description = item["description"].map { $0.string } ?? ""
            guard let description, description.count <= FunctionDefinition.maxDescriptionLength else {
                throw fail(at + ".description", "expected a string of at most 256 characters", item["description"])
            }
            var environment: [String: String] = [:]
            if let node = item["environment"] {
                do { environment = try EnvironmentVariables.parse(node) } catch {
                    throw fail(at + ".environment", error.message, node)
                }
            }
            functions.append(
                FunctionDefinition(
                    name: name, handler: handler, memoryMB: memory, timeoutSeconds: timeout,
                    description: description, workScale: scale, environment: environment, code: code))
        }
        var routes: [GatewayRoute] = []
        for (i, item) in (root["routes"]?.array ?? []).enumerated() {
            let at = "routes[\(i)]"
            guard let stage = item["stage"]?.string, !stage.isEmpty, !stage.contains("/") else {
                throw fail(at + ".stage", "expected a stage name", item["stage"] ?? item)
            }
            guard stage != EmulatorAPI.pathRoot else {
                throw fail(at + ".stage", "\"\(stage)\" is reserved for the emulator's own endpoints", item["stage"])
            }
            guard let resource = item["resource"]?.string.map({ $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }), !resource.isEmpty
            else { throw fail(at + ".resource", "expected a resource path", item["resource"] ?? item) }
            guard let function = item["function"]?.string, functions.contains(where: { $0.name == function }) else {
                throw fail(at + ".function", "expected the name of a function declared in \"functions\"", item["function"] ?? item)
            }
            routes.append(GatewayRoute(stage: stage, resource: resource, function: function))
        }
        let credentials = root["credentials"]
        return EmulatorConfig(
            functions: functions, routes: routes,
            accessKeyId: credentials?["access_key_id"]?.string,
            secretAccessKey: credentials?["secret_access_key"]?.string)
    }
}
