import Foundation
import Hashing
import JSON
import ToolSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A user's function in the functions file: `"runtime"` and `"code"`, a directory or a zip
/// (the same package CreateFunction takes), relative to the file's own directory.
extension EmulatorConfig {
    /// The function's code, checked as CreateFunction checks it; nil for a built-in handler
    /// (neither key). A zip is checked here and unpacked by `unpackArchives`.
    static func parseCode(
        _ item: JSONNode, at: String, file: String, fail: (String, String, JSONNode?) -> InputError
    ) throws -> FunctionCode? {
        let runtimeNode = item["runtime"]
        let codeNode = item["code"]
        guard runtimeNode != nil || codeNode != nil else { return nil }
        guard let runtime = runtimeNode?.string, FunctionCode.supportedRuntimes.contains(runtime) else {
            throw fail(
                at + ".runtime", "expected one of \(FunctionCode.supportedRuntimes.joined(separator: ", "))", runtimeNode ?? item)
        }
        guard let code = codeNode?.string, !code.isEmpty else {
            throw fail(at + ".code", "expected the function's code: a directory or a zip", codeNode ?? item)
        }
        let base = file.hasPrefix("<") ? "." : (file as NSString).deletingLastPathComponent
        var path = code.hasPrefix("/") ? code : (base.isEmpty ? code : base + "/" + code)
        // LAMBDA_TASK_ROOT is absolute on Lambda; the runtime starts in it.
        if !path.hasPrefix("/") { path = FileManager.default.currentDirectoryPath + "/" + path }
        let handler = item["handler"]?.string ?? "bootstrap"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw fail(at + ".code", "\(path): no such directory or zip", codeNode)
        }
        if !isDirectory.boolValue {
            guard let bytes = FileManager.default.contents(atPath: path) else { throw fail(at + ".code", "\(path): cannot read", codeNode) }
            do {
                _ = try CodeArchive.check(Array(bytes), runtime: runtime, handler: handler)
            } catch {
                switch error {
                case .tooLarge: throw fail(at + ".code", "\(path): a zip over Lambda's 50 MB", codeNode)
                case .invalid(let message): throw fail(at + ".code", "\(path): \(message)", codeNode)
                }
            }
            return FunctionCode(runtime: runtime, directory: "", archive: path)
        }
        if PythonRuntime.isPython(runtime) {
            let names: (String) -> [String] = { folder in
                (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? path : path + "/" + folder)) ?? []
            }
            if let problem = PythonRuntime.handlerProblem(handler: handler, runtime: runtime, names: names) {
                throw fail(at + ".code", "\(path): \(problem)", codeNode)
            }
        } else if access(path + "/bootstrap", X_OK) != 0 {
            throw fail(at + ".code", "\(path) has no executable bootstrap", codeNode)
        }
        return FunctionCode(runtime: runtime, directory: path)
    }

    /// Unpacks every zip the functions file names into `<state dir>/config-code/<name>-<sha>`,
    /// once per content: a restart with the same zip reuses the folder, a changed zip gets a
    /// new one (so a running environment of the old code keeps its files).
    public mutating func unpackArchives(stateDirectory: String) throws {
        for i in functions.indices {
            guard let archive = functions[i].code?.archive, let code = functions[i].code else { continue }
            guard let bytes = FileManager.default.contents(atPath: archive) else {
                throw EmulatorError("\(archive): cannot read")
            }
            let digest = SHA256.hex(Array(bytes)).prefix(16)
            let parent = stateDirectory + "/config-code"
            let directory = parent + "/\(functions[i].name)-\(digest)"
            if !FileManager.default.fileExists(atPath: directory) {
                try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
                do {
                    _ = try CodeArchive.unpack(Array(bytes), runtime: code.runtime, handler: functions[i].handler, into: directory)
                } catch {
                    throw EmulatorError("\(archive): cannot unpack into \(directory)")
                }
            }
            functions[i].code?.directory = directory
        }
    }
}
