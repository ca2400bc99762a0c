import JSON

/// The instance keys of the experiments other tools run (docs/workload.md): closed loops
/// (`concurrency` + `runs`), scale-up ramps (`ramp`), cold-start lifetime sweeps
/// (`idle_gaps_s`, `repeats`), cold starts on demand (`cold`), payload weights and shuffle,
/// and the response fields to keep.
extension WorkloadParser {
    static let loopKeys = ["concurrency", "runs", "ramp", "idle_gaps_s", "repeats"]
    static let experimentKeys: Set<String> = [
        "concurrency", "runs", "ramp", "idle_gaps_s", "repeats", "cold", "payload_weights", "shuffle_payloads",
        "response_fields",
    ]
    /// Guards against typos, like the open-loop limit of 10^9 calls per phase.
    static let maximumConcurrency = 10_000
    static let maximumResponseFields = 32

    /// The instance's closed loop, or nil when it names none of the loop keys. A loop excludes
    /// the open-loop keys (a distribution, a list, a trace, a window).
    func closedLoop(_ fields: ObjectFields, path: String) throws -> ClosedLoop? {
        let given = Self.loopKeys.compactMap { key in fields.member(key).map { (key, $0) } }
        guard let (firstKey, firstNode) = given.first else { return nil }
        for key in ["distribution", "rate", "interarrivals_list", "interarrival_list", "trace", "activity_window"] {
            if let n = fields.member(key), !n.isNull {
                throw fail(n, "\(path).\(key)", "a closed loop (\(firstKey)) sends calls as slots free up, not at times: drop \(key)")
            }
        }
        let ramp = fields.member("ramp")
        let gaps = fields.member("idle_gaps_s")
        let pair = [fields.member("concurrency"), fields.member("runs")]
        let kinds = [pair.contains { $0 != nil } ? "concurrency/runs" : nil, ramp != nil ? "ramp" : nil, gaps != nil ? "idle_gaps_s" : nil]
            .compactMap { $0 }
        if kinds.count > 1 {
            throw fail(firstNode, "\(path).\(firstKey)", "give one kind of closed loop, not \(kinds.joined(separator: " and "))")
        }
        if let repeats = fields.member("repeats"), gaps == nil {
            throw fail(repeats, "\(path).repeats", "applies to idle_gaps_s only")
        }
        if let ramp { return try self.ramp(ramp, path: "\(path).ramp") }
        if let gaps { return try idleSweep(gaps, repeats: fields.member("repeats"), path: path) }
        let concurrencyNode = try fields.required("concurrency", self, hint: "a closed loop gives concurrency and runs")
        let runsNode = try fields.required("runs", self, hint: "a closed loop gives concurrency and runs")
        let concurrency = try integer(concurrencyNode, "\(path).concurrency", in: 1...Self.maximumConcurrency)
        let runs = try integer(runsNode, "\(path).runs", in: 1...Int(Self.maximumCallsPerInstance))
        return ClosedLoop(steps: [.init(concurrency: concurrency, runs: runs)])
    }

    func ramp(_ node: JSONNode, path: String) throws -> ClosedLoop {
        let fields = try object(node, path)
        for (key, n) in fields.members where !["from", "to", "step", "factor", "runs_per_slot"].contains(key) {
            throw fail(n, "\(path).\(key)", "unknown key (a ramp has from, to, step or factor, runs_per_slot)")
        }
        let from = try integer(fields.required("from", self), "\(path).from", in: 1...Self.maximumConcurrency)
        let toNode = try fields.required("to", self)
        let to = try integer(toNode, "\(path).to", in: 1...Self.maximumConcurrency)
        guard to >= from else { throw fail(toNode, "\(path).to", "must be at least from (\(from)), got \(to)") }
        let stepNode = fields.member("step")
        let factorNode = fields.member("factor")
        if let s = stepNode, factorNode != nil { throw fail(s, "\(path).step", "give step or factor, not both") }
        let step = try stepNode.map { try integer($0, "\(path).step", in: 1...Self.maximumConcurrency) }
        let factor = try factorNode.map { n -> Double in
            let f = try number(n, "\(path).factor")
            guard f > 1, f <= 100 else { throw fail(n, "\(path).factor", "must be more than 1 and at most 100, got \(n.text)") }
            return f
        }
        let perSlot = try integer(fields.required("runs_per_slot", self), "\(path).runs_per_slot", in: 1...1_000_000)
        let levels = ClosedLoop.rampConcurrencies(from: from, to: to, step: step, factor: factor)
        return ClosedLoop(steps: levels.map { .init(concurrency: $0, runs: $0 * perSlot) })
    }

    func idleSweep(_ node: JSONNode, repeats repeatsNode: JSONNode?, path: String) throws -> ClosedLoop {
        let field = "\(path).idle_gaps_s"
        guard case .array(let elements) = node.value, !elements.isEmpty else {
            throw fail(node, field, "must be a non-empty array of idle gaps in seconds, got \(node.text)")
        }
        let gaps = try elements.enumerated().map { k, e -> Double in
            guard case .number(let d, _) = e.value, d > 0, d <= 86_400 else {
                throw fail(e, "\(field)[\(k)]", "must be a number of seconds, more than 0 and at most 86400, got \(e.text)")
            }
            return d
        }
        let repeats = try repeatsNode.map { try integer($0, "\(path).repeats", in: 1...100_000) } ?? 1
        // One call starts the environment, then one call after each gap.
        return ClosedLoop(steps: [.init(concurrency: 1, runs: 1 + gaps.count * repeats)], idleGapsS: gaps, repeats: repeats)
    }

    /// `payload_weights` (one positive number per payload of the group) and `shuffle_payloads`.
    func payloadOrder(_ fields: ObjectFields, path: String, payloadCount: Int) throws -> PayloadOrder {
        var shuffled = false
        if let node = fields.member("shuffle_payloads"), !node.isNull {
            guard case .bool(let b) = node.value else {
                throw fail(node, "\(path).shuffle_payloads", "must be true or false, got \(node.typeName)")
            }
            shuffled = b
        }
        var weights = [Double](repeating: 1, count: payloadCount)
        if let node = fields.member("payload_weights"), !node.isNull {
            let field = "\(path).payload_weights"
            guard case .array(let elements) = node.value else {
                throw fail(node, field, "must be an array of numbers, got \(node.typeName)")
            }
            guard elements.count == payloadCount else {
                throw fail(
                    node, field,
                    "has \(elements.count) weights for \(payloadCount) payload\(payloadCount == 1 ? "" : "s") (give one per element of the payload array)"
                )
            }
            weights = try elements.enumerated().map { k, e in
                guard case .number(let d, _) = e.value, d > 0, d < 1e9 else {
                    throw fail(e, "\(field)[\(k)]", "must be a number more than 0 (and below 10^9), got \(e.text)")
                }
                return d
            }
            return .weighted(weights, shuffled: shuffled)
        }
        return shuffled ? .weighted(weights, shuffled: true) : .cycle
    }

    func responseFields(_ fields: ObjectFields, path: String) throws -> [String] {
        guard let node = fields.member("response_fields"), !node.isNull else { return [] }
        let field = "\(path).response_fields"
        guard case .array(let elements) = node.value, !elements.isEmpty, elements.count <= Self.maximumResponseFields else {
            throw fail(
                node, field,
                "must be an array of 1 to \(Self.maximumResponseFields) JSON pointers such as \"/stat/inst_id\", got \(node.text)")
        }
        var seen = Set<String>()
        return try elements.enumerated().map { k, e in
            guard case .string(let s) = e.value, !s.isEmpty else {
                throw fail(e, "\(field)[\(k)]", "must be a JSON pointer such as \"/cpuUserDelta\", got \(e.text)")
            }
            if let problem = Self.pointerProblem(s) { throw fail(e, "\(field)[\(k)]", problem) }
            guard seen.insert(s).inserted else { throw fail(e, "\(field)[\(k)]", "\"\(s)\" is listed twice") }
            return s
        }
    }

    static func pointerProblem(_ text: String) -> String? {
        do {
            _ = try JSONPointer(text)
            return nil
        } catch {
            return error.problem
        }
    }

    func cold(_ fields: ObjectFields, path: String, arrivals: Arrivals) throws -> Bool {
        guard let node = fields.member("cold"), !node.isNull else { return false }
        guard case .bool(let b) = node.value else { throw fail(node, "\(path).cold", "must be true or false, got \(node.typeName)") }
        if b, case .closedLoop = arrivals {
        } else if b {
            throw fail(
                node, "\(path).cold",
                "needs a closed loop (concurrency and runs): each call waits for a configuration change, so it cannot keep a time")
        }
        return b
    }

    func integer(_ node: JSONNode, _ field: String, in range: ClosedRange<Int>) throws -> Int {
        guard case .number(let d, _) = node.value, d == d.rounded(), abs(d) < 1e15 else {
            throw fail(node, field, "must be an integer, got \(node.text)")
        }
        guard range.contains(Int(d)) else {
            throw fail(node, field, "must be from \(range.lowerBound) to \(range.upperBound), got \(node.text)")
        }
        return Int(d)
    }
}
