import Clocks
import Foundation

/// Functions deployed through the Lambda API (CreateFunction, UpdateFunctionCode, DeleteFunction).
extension FunctionPool {
    enum CreateResult: Sendable {
        case created(FunctionState)
        case conflict
    }

    /// Where a user function's code is unpacked: `<state dir>/functions/<name>/<n>`, a new
    /// folder per deployment, so an environment still running the old code keeps its files.
    func newCodeDirectory(for name: String) -> String {
        let parent = DeployedFunctions.directory(options.stateDirectory, name)
        try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let number = state.withLock { s -> Int in
            s.environmentCounter += 1
            return s.environmentCounter
        }
        return parent + "/code-\(getpid())-\(number)"
    }

    /// Adds a function, `Pending` until `updateDelayMs` has passed, as Lambda's state machine.
    func create(_ definition: FunctionDefinition, codeSize: Int, codeSha256: String) -> CreateResult {
        let result: CreateResult = state.withLock { s in
            guard s.functions[definition.name] == nil else { return .conflict }
            s.generationCounter += 1
            var f = FunctionState(
                definition: definition, active: EnvironmentSpec(definition, region: options.region, generation: s.generationCounter),
                lastModifiedMs: WallClock.unixMilliseconds(), revisionId: Self.newRevision())
            f.state = .pending
            f.codeSize = codeSize
            f.codeSha256 = codeSha256
            s.functions[definition.name] = f
            s.order.append(definition.name)
            s.counters[definition.name] = FunctionCounters()
            return .created(f)
        }
        if case .created = result {
            saveIfDeployed(definition.name)
            let delay = max(0, options.updateDelayMs)
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(delay))) { [self] in
                state.withLock { s in s.functions[definition.name]?.state = .active }
            }
        }
        return result
    }

    /// Keeps a deployed function's definition beside its code (not a functions-file function's).
    func saveIfDeployed(_ name: String) {
        guard let f = snapshot(name), let code = f.definition.code,
            code.directory.hasPrefix(DeployedFunctions.directory(options.stateDirectory, name) + "/")
        else { return }
        DeployedFunctions.save(
            DeployedFunctions.Record(definition: f.definition, codeSize: f.codeSize, codeSha256: f.codeSha256),
            stateDirectory: options.stateDirectory)
    }

    /// Removes a function with its versions and aliases: its idle environments (of every
    /// version) retire now, busy ones when their call ends (`release` finds no function), and
    /// what the emulator keeps of it (code, versions) with it. false: no such function.
    func delete(_ name: String) -> Bool {
        let removed: [any ExecutionEnvironment]? = state.withLock { s in
            guard var f = s.functions.removeValue(forKey: name) else { return nil }
            s.order.removeAll { $0 == name }
            let idle = f.removeIdle { _ in true }
            for env in idle { s.live[env.id] = nil }
            return idle
        }
        guard let removed else { return false }
        for env in removed { env.terminate() }
        // Only the emulator's own files are there (a functions file's code folder is elsewhere).
        try? FileManager.default.removeItem(atPath: DeployedFunctions.directory(options.stateDirectory, name))
        return true
    }
}
