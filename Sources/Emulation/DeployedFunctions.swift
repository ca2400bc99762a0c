import Foundation
import JSON
import ToolSupport

/// Functions deployed through the Lambda API survive a restart: each one's definition is kept
/// beside its code, `<state dir>/functions/<name>/function.json`, in the functions file's own
/// format (one function, plus what only a deployment has: role, code size and SHA-256), and
/// read back, checked as a functions file is, when the emulator starts.
enum DeployedFunctions {
    static func directory(_ stateDirectory: String, _ name: String) -> String { stateDirectory + "/functions/" + name }

    struct Record: Sendable {
        var definition: FunctionDefinition
        var codeSize: Int
        var codeSha256: String
    }

    /// Writes the record atomically (a temporary file renamed into place).
    static func save(_ record: Record, stateDirectory: String) {
        let d = record.definition
        guard d.code != nil else { return }
        let text = jsonObject { w in
            w.key("functions")
            w.beginArray()
            w.beginObject()
            writeMembers(of: d, to: &w)
            w.key("code_size")
            w.int(record.codeSize)
            w.key("code_sha256")
            w.string(record.codeSha256)
            w.endObject()
            w.endArray()
        }
        let path = directory(stateDirectory, d.name) + "/function.json"
        let temporary = path + ".tmp.\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text)) else { return }
        if rename(temporary, path) != 0 { unlink(temporary) }
    }

    /// A definition as a functions file's entry has it (role too), without the braces. A
    /// built-in handler's has no runtime or code; `work_scale` only when not 1.
    static func writeMembers(of d: FunctionDefinition, to w: inout JSONWriter) {
        w.key("name")
        w.string(d.name)
        if let code = d.code {
            w.key("runtime")
            w.string(code.runtime)
            w.key("code")
            w.string(code.directory)
        }
        w.key("handler")
        w.string(d.handler)
        w.key("memory_mb")
        w.int(d.memoryMB)
        w.key("timeout_s")
        w.int(d.timeoutSeconds)
        w.key("description")
        w.string(d.description)
        if d.workScale != 1 {
            w.key("work_scale")
            w.number(d.workScale)
        }
        w.key("environment")
        EnvironmentVariables.write(d.environment, to: &w)
        w.key("role")
        w.string(d.role)
    }

    /// Reads back one entry `writeMembers` wrote, checked as a functions file's entry is.
    static func parseDefinition(_ item: JSONNode, file: String) throws -> FunctionDefinition {
        var w = JSONWriter()
        w.beginObject()
        w.key("functions")
        w.beginArray()
        item.write(to: &w)
        w.endArray()
        w.endObject()
        guard var definition = try EmulatorConfig.parse(w.bytes, file: file).functions.first else {
            throw InputError(file: file, line: item.line, field: "functions", problem: "expected one function")
        }
        if let role = item["role"]?.string { definition.role = role }
        return definition
    }

    /// Every deployed function whose record and code are still whole; a damaged one is
    /// reported on standard error and skipped, never fatal.
    static func loadAll(stateDirectory: String) -> [Record] {
        let root = stateDirectory + "/functions"
        var records: [Record] = []
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted() {
            let path = root + "/" + name + "/function.json"
            guard let bytes = FileManager.default.contents(atPath: path) else { continue }
            do {
                let config = try EmulatorConfig.parse(Array(bytes), file: path)
                let node = try JSONTree.parse(Array(bytes))
                guard var definition = config.functions.first, definition.name == name,
                    let item = node["functions"]?.array?.first
                else { continue }
                if let role = item["role"]?.string { definition.role = role }
                removeOtherCode(in: root + "/" + name, keeping: definition.code?.directory)
                records.append(
                    Record(
                        definition: definition, codeSize: item["code_size"]?.int ?? 0,
                        codeSha256: item["code_sha256"]?.string ?? ""))
            } catch {
                FileHandle.standardError.write(Data("lambda-emulator: skipping deployed function \(name): \(error)\n".utf8))
            }
        }
        return records
    }

    /// Code folders of earlier deployments (and unfinished unpacks): nothing runs them once
    /// the emulator that made them is gone.
    static func removeOtherCode(in directory: String, keeping current: String?) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where entry.hasPrefix("code-") {
            let path = directory + "/" + entry
            if path != current { try? FileManager.default.removeItem(atPath: path) }
        }
    }
}
