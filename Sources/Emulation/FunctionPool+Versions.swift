import Clocks
import Foundation

/// Published versions and aliases: PublishVersion, DeleteFunction with a qualifier, the alias
/// operations, and what a qualifier names.
extension FunctionPool {
    /// What a qualifier (`$LATEST`, a version's number, an alias) names.
    enum Resolution: Sendable {
        case latest(FunctionState)
        case version(FunctionState, PublishedVersion)
        case functionNotFound, qualifierNotFound
    }

    func resolve(_ name: String, qualifier: String?) -> Resolution {
        state.withLock { s in
            guard let f = s.functions[name] else { return .functionNotFound }
            var target = qualifier ?? "$LATEST"
            if !target.allSatisfy(\.isNumber) && target != "$LATEST" {
                guard let alias = f.versions.alias(target) else { return .qualifierNotFound }
                target = alias.functionVersion
            }
            if target == "$LATEST" { return .latest(f) }
            guard let number = Int(target), let version = f.versions.version(number) else { return .qualifierNotFound }
            return .version(f, version)
        }
    }

    enum PublishResult: Sendable {
        case published(FunctionState, PublishedVersion)
        case notFound, conflict, revisionMismatch
        case codeMismatch(current: String)
        case failed(String)
    }

    /// Publishes $LATEST as the next version, or answers the last version when nothing
    /// changed since it was published (as Lambda does). The code is copied into the version's
    /// own folder, outside the lock: a later UpdateFunctionCode never changes what it runs.
    func publish(_ name: String, description: String?, codeSha256: String?, revisionId: String?) -> PublishResult {
        enum Step {
            case answer(PublishResult)
            case copy(FunctionState, PublishedContent, Int)
        }
        let step: Step = state.withLock { s in
            guard var f = s.functions[name] else { return .answer(.notFound) }
            guard f.state == .active, !f.updateInProgress else { return .answer(.conflict) }
            if let codeSha256, codeSha256 != f.codeSha256 { return .answer(.codeMismatch(current: f.codeSha256)) }
            if let revisionId, revisionId != f.revisionId { return .answer(.revisionMismatch) }
            let content = PublishedContent(latest: f.definition, codeSha256: f.codeSha256)
            if let last = f.versions.published.last, last.content == content { return .answer(.published(f, last)) }
            f.versions.lastNumber += 1
            s.functions[name] = f
            return .copy(f, content, f.versions.lastNumber)
        }
        guard case .copy(let latest, let content, let number) = step else {
            if case .answer(let result) = step { return result }
            return .notFound
        }
        var definition = latest.definition
        definition.description = description ?? latest.definition.description
        var copied: String?
        if let code = latest.definition.code {
            let target = DeployedFunctions.directory(options.stateDirectory, name) + "/version-\(number)"
            do {
                try? FileManager.default.removeItem(atPath: target)
                try FileManager.default.createDirectory(
                    atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: code.directory, toPath: target)
            } catch {
                try? FileManager.default.removeItem(atPath: target)
                return .failed("cannot keep the code of \(name) version \(number): \(error)")
            }
            definition.code?.directory = target
            copied = target
        }
        let result: PublishResult = state.withLock { s in
            guard var f = s.functions[name] else { return .notFound }
            // Another PublishVersion of the same content got there first.
            if let last = f.versions.published.last, last.content == content { return .published(f, last) }
            s.generationCounter += 1
            var spec = EnvironmentSpec(definition, region: options.region, generation: s.generationCounter)
            spec.version = String(number)
            let version = PublishedVersion(
                number: number, definition: definition, content: content, active: spec, codeSize: latest.codeSize,
                codeSha256: latest.codeSha256, lastModifiedMs: WallClock.unixMilliseconds(), revisionId: Self.newRevision())
            f.versions.published.append(version)
            f.versions.published.sort { $0.number < $1.number }
            s.functions[name] = f
            return .published(f, version)
        }
        if case .published(_, let version) = result, version.number == number {
            saveVersions(name)
        } else if let copied {
            try? FileManager.default.removeItem(atPath: copied)
        }
        return result
    }

    enum DeleteVersionResult: Sendable {
        case deleted, notFound
        case aliased([String])
    }

    /// Deletes one published version (not while an alias points to it): its idle environments
    /// retire now, busy ones when their call ends (`release` finds no version).
    func deleteVersion(_ name: String, _ number: Int) -> DeleteVersionResult {
        let outcome: (DeleteVersionResult, PublishedVersion?) = state.withLock { s in
            guard var f = s.functions[name], let i = f.versions.published.firstIndex(where: { $0.number == number }) else {
                return (.notFound, nil)
            }
            let aliases = f.versions.aliases.filter { $0.functionVersion == String(number) }.map(\.name)
            guard aliases.isEmpty else { return (.aliased(aliases), nil) }
            let version = f.versions.published.remove(at: i)
            for env in version.idle { s.live[env.id] = nil }
            s.functions[name] = f
            return (.deleted, version)
        }
        guard let version = outcome.1 else { return outcome.0 }
        for env in version.idle { env.terminate() }
        if let code = version.definition.code, code.directory.hasPrefix(DeployedFunctions.directory(options.stateDirectory, name) + "/") {
            try? FileManager.default.removeItem(atPath: code.directory)
        }
        saveVersions(name)
        return .deleted
    }

    enum AliasResult: Sendable {
        case alias(FunctionAlias)
        case functionNotFound, aliasNotFound, exists, revisionMismatch
        case versionNotFound(String)
    }

    /// Applies `change` to the function's aliases under the lock and keeps the result.
    private func changeAliases(_ name: String, _ change: (inout FunctionVersions) -> AliasResult) -> AliasResult {
        let result: AliasResult = state.withLock { s in
            guard var f = s.functions[name] else { return .functionNotFound }
            let result = change(&f.versions)
            f.versions.aliases.sort { $0.name < $1.name }
            s.functions[name] = f
            return result
        }
        if case .alias = result { saveVersions(name) }
        return result
    }

    private static func exists(_ version: String, in versions: FunctionVersions) -> Bool {
        version == "$LATEST" || Int(version).flatMap { versions.version($0) } != nil
    }

    func createAlias(_ name: String, _ alias: FunctionAlias) -> AliasResult {
        changeAliases(name) { versions in
            guard versions.alias(alias.name) == nil else { return .exists }
            guard Self.exists(alias.functionVersion, in: versions) else { return .versionNotFound(alias.functionVersion) }
            versions.aliases.append(alias)
            return .alias(alias)
        }
    }

    func updateAlias(
        _ name: String, _ aliasName: String, functionVersion: String?, description: String?, revisionId: String?
    ) -> AliasResult {
        changeAliases(name) { versions in
            guard let i = versions.aliases.firstIndex(where: { $0.name == aliasName }) else { return .aliasNotFound }
            if let revisionId, revisionId != versions.aliases[i].revisionId { return .revisionMismatch }
            if let functionVersion {
                guard Self.exists(functionVersion, in: versions) else { return .versionNotFound(functionVersion) }
                versions.aliases[i].functionVersion = functionVersion
            }
            if let description { versions.aliases[i].description = description }
            versions.aliases[i].revisionId = Self.newRevision()
            return .alias(versions.aliases[i])
        }
    }

    /// false: no such function. An unknown alias is no error (DeleteAlias is idempotent).
    func deleteAlias(_ name: String, _ aliasName: String) -> Bool {
        let found: Bool = state.withLock { s in
            guard s.functions[name] != nil else { return false }
            s.functions[name]?.versions.aliases.removeAll { $0.name == aliasName }
            return true
        }
        if found { saveVersions(name) }
        return found
    }

    /// Keeps the function's versions and aliases beside its code (PublishedVersions).
    /// Saves run one at a time, each with the state as it is then: the last file written is
    /// never an older state than an earlier one.
    func saveVersions(_ name: String) {
        PublishedVersions.writing.withLock { _ in
            guard let f = snapshot(name) else { return }
            PublishedVersions.save(f.versions, function: name, stateDirectory: options.stateDirectory)
        }
    }

    /// The versions and aliases an earlier run kept, for the functions it still serves.
    static func addPublishedVersions(to s: inout State, options: EmulatorOptions) {
        for name in s.order {
            guard var f = s.functions[name],
                var versions = PublishedVersions.load(function: name, stateDirectory: options.stateDirectory)
            else { continue }
            for i in versions.published.indices {
                s.generationCounter += 1
                versions.published[i].active = EnvironmentSpec(
                    versions.published[i].definition, region: options.region, generation: s.generationCounter)
                versions.published[i].active.version = String(versions.published[i].number)
            }
            f.versions = versions
            s.functions[name] = f
        }
    }
}
