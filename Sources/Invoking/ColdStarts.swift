import AWS
import RecordSchema

/// Cold starts on demand (`cold: true`, docs/invoke.md): before each such call the function's
/// Description is changed and the change awaited, so Lambda retires its warm environments
/// and a new one serves the call, as Power Tuning's onlyColdStarts does. Changes are made
/// one at a time (a second would meet 409 ResourceConflictException), and each function's
/// own description is put back when the run ends.
actor ColdStarts {
    let clients: [String: LambdaClient]
    let options: InvokeOptions
    let run: String
    /// Per region and function, the description to put back.
    private var originals: [(region: String, function: String, description: String)] = []
    private var changes = 0
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(clients: [String: LambdaClient], options: InvokeOptions, run: String) {
        self.clients = clients
        self.options = options
        self.run = run
    }

    /// The function a call's configuration change goes to: the Lambda target's function, or an
    /// HTTP target's `application` (as for memory phases), with the region its client uses.
    static func function(of call: ScheduledCall) -> (function: String, region: String) {
        switch call.target {
        case .lambda(let f, let r, _, _): (f, r ?? "")
        case .http: (call.application, "")
        }
    }

    func forceNewEnvironment(for call: ScheduledCall) async throws {
        await acquire()
        defer { release() }
        let (function, region) = Self.function(of: call)
        guard let client = clients[region] else { return }
        if !originals.contains(where: { $0.region == region && $0.function == function }) {
            let current = try await client.getFunctionConfiguration(function)
            originals.append((region, function, current.description ?? ""))
        }
        changes += 1
        let text = String("rightsize \(run): cold start \(changes)".prefix(256))
        try await client.setDescription(function, to: text, pollInterval: options.pollInterval, timeout: options.memoryTimeout)
    }

    /// Puts every changed function's description back (best effort: the run's records are
    /// already complete, so a failure here is only reported).
    func restore() async -> [String] {
        var problems: [String] = []
        for (region, function, description) in originals {
            do {
                try await clients[region]?.setDescription(
                    function, to: description, pollInterval: options.pollInterval, timeout: options.memoryTimeout)
            } catch {
                problems.append("\(function): could not restore its Description: \(error)")
            }
        }
        originals = []
        return problems
    }

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
