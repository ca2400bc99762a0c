import Foundation
import JSON
import Synchronization
import ToolSupport

/// A function's published versions and aliases survive a restart, as deployed functions do:
/// `<state dir>/functions/<name>/versions.json`, each version's definition in the functions
/// file's format (its code in its own `version-N` folder beside it), and the aliases. Kept
/// for functions-file functions too: the file names the function, the state its versions.
enum PublishedVersions {
    /// Held while a versions file is written (FunctionPool.saveVersions).
    static let writing = Mutex(())

    static func path(_ stateDirectory: String, _ name: String) -> String {
        DeployedFunctions.directory(stateDirectory, name) + "/versions.json"
    }

    /// Writes atomically (a temporary file renamed into place).
    static func save(_ versions: FunctionVersions, function name: String, stateDirectory: String) {
        let text = jsonObject { w in
            w.key("last_version")
            w.int(versions.lastNumber)
            w.key("versions")
            w.beginArray()
            for v in versions.published {
                w.beginObject()
                w.key("version")
                w.int(v.number)
                w.key("function")
                w.beginObject()
                DeployedFunctions.writeMembers(of: v.definition, to: &w)
                w.endObject()
                // What $LATEST was, where it differs from the version: the description
                // (PublishVersion may give its own) and the code folder a SHA-256 does not stand for.
                w.key("latest_description")
                w.string(v.content.definition.description)
                if let folder = v.content.definition.code?.directory, !folder.isEmpty {
                    w.key("latest_code")
                    w.string(folder)
                }
                w.key("code_size")
                w.int(v.codeSize)
                w.key("code_sha256")
                w.string(v.codeSha256)
                w.key("last_modified_ms")
                w.number(v.lastModifiedMs)
                w.key("revision_id")
                w.string(v.revisionId)
                w.endObject()
            }
            w.endArray()
            w.key("aliases")
            w.beginArray()
            for a in versions.aliases {
                w.beginObject()
                w.key("name")
                w.string(a.name)
                w.key("function_version")
                w.string(a.functionVersion)
                w.key("description")
                w.string(a.description)
                w.key("revision_id")
                w.string(a.revisionId)
                w.endObject()
            }
            w.endArray()
        }
        let file = path(stateDirectory, name)
        try? FileManager.default.createDirectory(
            atPath: DeployedFunctions.directory(stateDirectory, name), withIntermediateDirectories: true)
        let temporary = file + ".tmp.\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text)) else { return }
        if rename(temporary, file) != 0 { unlink(temporary) }
    }

    /// The kept versions and aliases (their environment specs still to be made), or nil when
    /// there are none. A damaged version is reported on standard error and skipped, with the
    /// aliases that pointed to it; a damaged file, entirely.
    static func load(function name: String, stateDirectory: String) -> FunctionVersions? {
        let file = path(stateDirectory, name)
        guard let bytes = FileManager.default.contents(atPath: file) else { return nil }
        func warn(_ what: String) {
            FileHandle.standardError.write(Data("lambda-emulator: \(file): skipping \(what)\n".utf8))
        }
        guard let root = try? JSONTree.parse(Array(bytes)), case .object = root.value else {
            warn("the versions of \(name): not JSON")
            return nil
        }
        var versions = FunctionVersions()
        versions.lastNumber = root["last_version"]?.int ?? 0
        for item in root["versions"]?.array ?? [] {
            guard let number = item["version"]?.int, number > 0, let function = item["function"] else {
                warn("a version without a number or function")
                continue
            }
            do {
                let definition = try DeployedFunctions.parseDefinition(function, file: file)
                guard definition.name == name else { throw InputError(file: file, field: "function.name", problem: "not \(name)") }
                var latest = definition
                latest.description = item["latest_description"]?.string ?? definition.description
                if let folder = item["latest_code"]?.string { latest.code?.directory = folder }
                let sha = item["code_sha256"]?.string ?? ""
                versions.published.append(
                    PublishedVersion(
                        number: number, definition: definition, content: PublishedContent(latest: latest, codeSha256: sha),
                        active: EnvironmentSpec(definition, region: EmulatorOptions.defaultRegion, generation: 0),
                        codeSize: item["code_size"]?.int ?? 0, codeSha256: sha,
                        lastModifiedMs: item["last_modified_ms"]?.double ?? 0,
                        revisionId: item["revision_id"]?.string ?? FunctionPool.newRevision()))
                versions.lastNumber = max(versions.lastNumber, number)
            } catch {
                warn("version \(number) of \(name): \(error)")
            }
        }
        versions.published.sort { $0.number < $1.number }
        for item in root["aliases"]?.array ?? [] {
            guard let alias = item["name"]?.string, FunctionVersions.isValidAliasName(alias),
                let target = item["function_version"]?.string,
                target == "$LATEST" || Int(target).flatMap({ versions.version($0) }) != nil
            else {
                warn("an alias of \(name) without a valid name or version")
                continue
            }
            versions.aliases.append(
                FunctionAlias(
                    name: alias, functionVersion: target, description: item["description"]?.string ?? "",
                    revisionId: item["revision_id"]?.string ?? FunctionPool.newRevision()))
        }
        versions.aliases.sort { $0.name < $1.name }
        return versions
    }
}
