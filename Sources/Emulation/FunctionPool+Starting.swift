import Foundation
import Synchronization

/// Starting environments, and the functions an earlier run deployed.
extension FunctionPool {
    func setEndpoint(_ url: String) { endpoint.withLock { $0 = url } }

    /// Starts a cold environment: a built-in handler's worker, or a user's runtime.
    func startEnvironment(spec: EnvironmentSpec, number: Int, logStream: String) throws -> any ExecutionEnvironment {
        let scratch = scratchRoot + "/env-\(number)"
        guard let code = spec.code else {
            return try WorkerEnvironment(
                spec: spec, id: "env-\(number)", logStream: logStream, executable: options.workerExecutable, control: control,
                scratchDirectory: scratch)
        }
        let context = RuntimeContext(
            executable: options.workerExecutable, emulatorURL: endpoint.withLock { $0 },
            credentials: options.credentials?.sorted { $0.key < $1.key }.first.map { (accessKeyId: $0.key, secretAccessKey: $0.value) },
            functionArn: options.functionArn(spec.function),
            initTimeoutSeconds: options.initTimeoutSeconds, python: python)
        return try RuntimeEnvironment(
            spec: spec, code: code, id: "env-\(number)", logStream: logStream, control: control, scratchDirectory: scratch,
            eventLoops: eventLoops, context: context)
    }

    static func addDeployedFunctions(to s: inout State, options: EmulatorOptions, now: Double) {
        for record in DeployedFunctions.loadAll(stateDirectory: options.stateDirectory) where s.functions[record.definition.name] == nil {
            let name = record.definition.name
            s.generationCounter += 1
            var f = FunctionState(
                definition: record.definition,
                active: EnvironmentSpec(record.definition, region: options.region, generation: s.generationCounter),
                lastModifiedMs: now, revisionId: Self.newRevision())
            f.codeSize = record.codeSize
            f.codeSha256 = record.codeSha256
            s.functions[name] = f
            s.counters[name] = FunctionCounters()
            s.order.append(name)
        }
    }
}
