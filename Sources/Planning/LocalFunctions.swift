import JSON
import ToolSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A user's function that a local run deploys to the emulator before it invokes (top-level
/// `"functions"`, docs/workload.md): the same code folder a user zips for Lambda.
public struct LocalFunction: Sendable, Equatable {
    public var name: String
    public var runtime: String
    public var handler: String
    /// Absolute, so the deployment does not depend on where make runs.
    public var directory: String
    public var timeoutSeconds: Int
}

extension WorkloadParser {
    static let functionKeys: Set<String> = ["code", "runtime", "handler", "timeout_s"]

    /// `"functions": {"name": {"code": "dir", "runtime": "python3.12", "handler": "m.f", "timeout_s": 60}}`.
    /// Only a local run deploys: on AWS the function is the user's own stack's.
    func localFunctions(_ top: ObjectFields, platform: Workload.Platform, warnings: inout [String]) throws -> [LocalFunction] {
        guard let node = top.member("functions"), !node.isNull else { return [] }
        let object = try self.object(node, "functions")
        guard platform == .local else {
            throw fail(
                node, "functions",
                "deploys to the local emulator only (\"target\": \"local\"); on AWS deploy the function yourself, e.g. with its CloudFormation template (docs/faas_measure.md)"
            )
        }
        var functions: [LocalFunction] = []
        for (name, entry) in object.members {
            let path = "functions.\(name)"
            guard (1...64).contains(name.utf8.count),
                name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            else { throw fail(entry, path, "a function name is 1-64 letters, digits, '-' or '_'") }
            let fields = try self.object(entry, path)
            warnUnknown(fields, known: Self.functionKeys, ignored: [], into: &warnings)
            let runtimeNode = try fields.required("runtime", self)
            let runtime = try string(runtimeNode, "\(path).runtime")
            guard runtime.hasPrefix("python3.") || runtime.hasPrefix("provided.") else {
                throw fail(
                    runtimeNode, "\(path).runtime",
                    "must be a python3.x or provided.al2023/al2 runtime (what lambda-emulator runs), got \"\(runtime)\"")
            }
            let handler: String
            if let h = fields.member("handler") {
                handler = try string(h, "\(path).handler")
            } else if runtime.hasPrefix("provided.") {
                handler = "bootstrap"
            } else {
                handler = try string(try fields.required("handler", self), "\(path).handler")
            }
            let codeNode = try fields.required("code", self)
            let code = try string(codeNode, "\(path).code")
            var directory = code.hasPrefix("/") ? code : (baseDirectory.isEmpty ? code : baseDirectory + "/" + code)
            if !directory.hasPrefix("/") { directory = Self.currentDirectory() + "/" + directory }
            var info = stat()
            guard stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
                throw fail(codeNode, "\(path).code", "\(directory) is not a directory (the function's code folder, as zipped for Lambda)")
            }
            var timeout = 30
            if let t = fields.member("timeout_s") {
                let d = try number(t, "\(path).timeout_s")
                guard d == d.rounded(), (1...900).contains(d) else {
                    throw fail(t, "\(path).timeout_s", "must be a whole number of seconds from 1 to 900 (Lambda's range), got \(t.text)")
                }
                timeout = Int(d)
            }
            functions.append(
                LocalFunction(name: name, runtime: runtime, handler: handler, directory: directory, timeoutSeconds: timeout))
        }
        return functions
    }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
