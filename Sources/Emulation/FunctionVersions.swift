import Foundation

/// A published version: $LATEST's configuration and code as they were when PublishVersion
/// ran, never changed afterwards, with execution environments of its own.
struct PublishedVersion: Sendable {
    var number: Int
    /// What the version runs: its own copy of the code (`code.directory`), the description
    /// PublishVersion gave (else $LATEST's).
    var definition: FunctionDefinition
    /// What $LATEST was at publishing, to tell whether anything changed since (Lambda answers
    /// the same version again when nothing did).
    var content: PublishedContent
    /// What invocations of the version run with (its generation is its own).
    var active: EnvironmentSpec
    var codeSize: Int
    var codeSha256: String
    var lastModifiedMs: Double
    var revisionId: String
    var idle: [any ExecutionEnvironment] = []
}

/// What makes two publications the same version: the configuration and the code. The code
/// is its SHA-256 when it has one (a deployed zip); a functions-file function's code folder
/// has none, so there it is the folder; a built-in handler has neither.
struct PublishedContent: Sendable, Equatable {
    var definition: FunctionDefinition
    var codeSha256: String

    init(latest: FunctionDefinition, codeSha256: String) {
        definition = latest
        self.codeSha256 = codeSha256
        // UpdateFunctionCode unpacks into a new folder even for the same zip: same code.
        if !codeSha256.isEmpty { definition.code?.directory = "" }
    }
}

/// A name for a version (`$LATEST` or a published one) that can be moved: `name:alias`.
struct FunctionAlias: Sendable {
    var name: String
    /// `$LATEST` or a version's number.
    var functionVersion: String
    var description: String
    var revisionId: String
}

/// A function's published versions and aliases.
struct FunctionVersions: Sendable {
    /// Ascending by number.
    var published: [PublishedVersion] = []
    /// Ascending by name.
    var aliases: [FunctionAlias] = []
    /// The highest number ever given: Lambda never gives a deleted version's number again.
    var lastNumber = 0

    func version(_ number: Int) -> PublishedVersion? { published.first { $0.number == number } }
    func alias(_ name: String) -> FunctionAlias? { aliases.first { $0.name == name } }

    /// Lambda's rule for alias names: letters, digits, `-` and `_`, not all digits (that is
    /// a version), 1 to 128 characters.
    static func isValidAliasName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 128
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
            && !name.allSatisfy(\.isNumber)
    }
}

extension FunctionPool.FunctionState {
    /// What invocations of `$LATEST` (nil) or of version `number` run with; nil: no such version.
    func activeSpec(version number: Int?) -> EnvironmentSpec? {
        guard let number else { return active }
        return versions.version(number)?.active
    }

    func hasIdle(version number: Int?) -> Bool {
        guard let number else { return !idle.isEmpty }
        return versions.version(number)?.idle.isEmpty == false
    }

    mutating func popIdle(version number: Int?) -> (any ExecutionEnvironment)? {
        guard let number else { return idle.popLast() }
        guard let i = versions.published.firstIndex(where: { $0.number == number }) else { return nil }
        return versions.published[i].idle.popLast()
    }

    /// Puts an environment back among its own version's idle ones; false: the version is gone.
    mutating func pushIdle(_ env: any ExecutionEnvironment) -> Bool {
        guard let number = Int(env.spec.version) else {
            idle.append(env)
            return true
        }
        guard let i = versions.published.firstIndex(where: { $0.number == number }) else { return false }
        versions.published[i].idle.append(env)
        return true
    }

    /// Takes the idle environments (of $LATEST and of every version) that `expired` selects.
    mutating func removeIdle(where expired: (any ExecutionEnvironment) -> Bool) -> [any ExecutionEnvironment] {
        var out = idle.filter(expired)
        idle.removeAll(where: expired)
        for i in versions.published.indices {
            out += versions.published[i].idle.filter(expired)
            versions.published[i].idle.removeAll(where: expired)
        }
        return out
    }
}
