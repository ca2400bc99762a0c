import JSON
import ToolSupport

/// Reads and validates a workload file (docs/workload.md).
///
/// Every problem becomes one `InputError(file, line, field, problem)`; nothing is
/// half-accepted. Keys FaaSProfiler knows but rightsize does not use are accepted with a
/// warning, so FaaSProfiler workloads run unchanged.
public struct WorkloadParser {
    /// Name used in messages (the path as given, or `<stdin>`).
    public let file: String
    /// Directory that payload paths are relative to.
    public let baseDirectory: String

    public init(file: String, baseDirectory: String) {
        self.file = file
        self.baseDirectory = baseDirectory
    }

    static let topLevelKeys: Set<String> = [
        "test_name", "test_duration_in_seconds", "random_seed", "blocking_cli", "memory_sizes", "instances", "target", "functions",
    ]
    /// FaaSProfiler keys for OpenWhisk that have no meaning here: accepted, ignored, warned about.
    static let ignoredTopLevelKeys: Set<String> = ["perf_monitoring"]
    static let instanceKeys: Set<String> = Set([
        "application", "distribution", "rate", "activity_window", "interarrivals_list", "interarrival_list", "payload",
        "host", "stage", "resource", "scheme", "signed", "function_name", "region", "invocation_type", "qualifier",
        "param_file", "trace",
    ]).union(experimentKeys)
    /// FaaSProfiler's binary inputs for OpenWhisk: no equivalent here.
    static let ignoredInstanceKeys: Set<String> = ["data_file"]
    static let httpKeys = ["host", "stage", "resource"]
    /// Guards against typos such as a rate of 1e9: a phase this long would take hours to plan.
    static let maximumCallsPerInstance = 1e9
    static let lambdaOnlyKeys = ["function_name", "region", "invocation_type", "qualifier"]
    static let httpOnlyKeys = ["scheme", "signed"]

    /// Parses `bytes` (the workload file's contents).
    public func parse(_ bytes: [UInt8]) throws -> Workload {
        let root: JSONNode
        let normalized: [UInt8]
        do {
            (root, normalized) = try JSONTree.parse(bytes, allowTrailingCommas: true)
        } catch let e as JSONSyntaxError {
            throw InputError(file: file, line: e.line, field: e.path.isEmpty ? "workload" : e.path, problem: "not valid JSON: " + e.problem)
        }
        let top = try object(root, "")
        var warnings: [String] = []
        warnUnknown(top, known: Self.topLevelKeys, ignored: Self.ignoredTopLevelKeys, into: &warnings)

        let testName = try string(top.required("test_name", self), "test_name")
        guard Self.isSafeFolderName(testName) else {
            throw fail(
                top.member("test_name")!, "test_name",
                "must be 1-100 letters, digits, '.', '_' or '-', not starting with '.' or '-' (it names the run's folder)")
        }
        // A workload of closed loops only has no duration to give: its calls are counted in runs.
        let duration: Double
        if top.member("test_duration_in_seconds") == nil, Self.onlyClosedLoops(top.member("instances")) {
            duration = 1
        } else {
            let durationNode = try top.required("test_duration_in_seconds", self, hint: "or make every instance a closed loop")
            duration = try number(durationNode, "test_duration_in_seconds")
            guard duration > 0 else {
                throw fail(durationNode, "test_duration_in_seconds", "must be greater than 0, got \(durationNode.text)")
            }
        }

        var seed: UInt64? = nil
        if let node = top.member("random_seed"), !node.isNull {
            guard case .number(_, let text) = node.value, let value = UInt64(text) else {
                throw fail(node, "random_seed", "must be null or an integer from 0 to \(UInt64.max), got \(node.text)")
            }
            seed = value
        }
        var blockingCLI: Bool? = nil
        if let node = top.member("blocking_cli"), !node.isNull {
            guard case .bool(let b) = node.value else { throw fail(node, "blocking_cli", "must be true or false, got \(node.typeName)") }
            blockingCLI = b
        }
        var memorySizes = [128]
        if let node = top.member("memory_sizes"), !node.isNull {
            guard case .array(let elements) = node.value else {
                throw fail(node, "memory_sizes", "must be an array of memory sizes in MB, got \(node.typeName)")
            }
            guard !elements.isEmpty else { throw fail(node, "memory_sizes", "must list at least one memory size") }
            memorySizes = try elements.enumerated().map { k, e in
                let field = "memory_sizes[\(k)]"
                guard case .number(let d, _) = e.value, d == d.rounded(), abs(d) < 1e9 else {
                    throw fail(e, field, "must be an integer number of MB, got \(e.text)")
                }
                guard (128...10240).contains(Int(d)) else {
                    throw fail(e, field, "must be from 128 to 10240 MB (Lambda's range), got \(Int(d))")
                }
                return Int(d)
            }
        }
        var platform = Workload.Platform.aws
        if let node = top.member("target"), !node.isNull {
            guard case .string(let s) = node.value, let p = Workload.Platform(rawValue: s) else {
                throw fail(node, "target", "must be \"local\" (lambda-emulator) or \"aws\", got \(node.text)")
            }
            platform = p
        }

        let functions = try localFunctions(top, platform: platform, warnings: &warnings)

        let instancesNode = try top.required("instances", self)
        let instancesObject = try object(instancesNode, "instances")
        guard !instancesObject.members.isEmpty else { throw fail(instancesNode, "instances", "must name at least one instance") }
        var instances: [Instance] = []
        for (name, node) in instancesObject.members {
            instances.append(try instance(name, node, duration: duration, warnings: &warnings))
        }
        instances.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }

        let compact = normalized.withUnsafeBufferPointer { buffer -> RawJSON in
            var scanner = JSONScanner(buffer)
            return (try? scanner.readRaw()) ?? .null  // already parsed once: cannot fail
        }
        return Workload(
            testName: testName, durationS: duration, seed: seed, blockingCLI: blockingCLI,
            memorySizes: memorySizes, platform: platform, instances: instances,
            normalizedJSON: compact, warnings: warnings, seedLine: top.member("random_seed")?.line, functions: functions)
    }

    func instance(_ name: String, _ node: JSONNode, duration: Double, warnings: inout [String]) throws -> Instance {
        let path = "instances.\(name)"
        guard !name.isEmpty else { throw fail(node, path, "instance names must not be empty") }
        let fields = try object(node, path)
        warnUnknown(fields, known: Self.instanceKeys, ignored: Self.ignoredInstanceKeys, into: &warnings)
        let application = try string(fields.required("application", self), "\(path).application")

        // Arrivals: a replayed list wins over a distribution, as in FaaSProfiler.
        let listNodes = ["interarrivals_list", "interarrival_list"].compactMap { key in fields.member(key).map { (key, $0) } }
        let arrivals: Arrivals
        if let loop = try closedLoop(fields, path: path) {
            arrivals = .closedLoop(loop)
        } else if let traceNode = fields.member("trace"), !traceNode.isNull {
            for key in ["distribution", "rate", "interarrivals_list", "interarrival_list"] {
                if let n = fields.member(key) { throw fail(n, "\(path).\(key)", "give either a trace or \(key), not both") }
            }
            if let w = fields.member("activity_window"), !w.isNull {
                throw fail(w, "\(path).activity_window", "does not apply to a trace: choose its part with trace.range_s or trace.minutes")
            }
            arrivals = .trace(try trace(traceNode, path: path, duration: duration, warnings: &warnings))
        } else if listNodes.count == 2 {
            throw fail(listNodes[1].1, "\(path).interarrival_list", "give either interarrivals_list or interarrival_list, not both")
        } else if let (key, listNode) = listNodes.first {
            guard case .array(let elements) = listNode.value else {
                throw fail(listNode, "\(path).\(key)", "must be an array of inter-arrival times in seconds, got \(listNode.typeName)")
            }
            let gaps = try elements.enumerated().map { k, e in
                guard case .number(let d, _) = e.value else {
                    throw fail(e, "\(path).\(key)[\(k)]", "must be a number of seconds, got \(e.typeName)")
                }
                guard d >= 0 else { throw fail(e, "\(path).\(key)[\(k)]", "inter-arrival times must not be negative, got \(e.text)") }
                return d
            }
            if let w = fields.member("activity_window"), !w.isNull {
                warnings.append(
                    "\(file):\(w.line): \(path).activity_window: ignored for a replayed inter-arrival list (as in FaaSProfiler)")
            }
            arrivals = .list(gaps)
        } else {
            let distributionNode = try fields.required("distribution", self, hint: "or an interarrivals_list, or a trace")
            let distribution = try string(distributionNode, "\(path).distribution")
            let rateNode = try fields.required("rate", self)
            let rate = try number(rateNode, "\(path).rate")
            guard rate >= 0 else { throw fail(rateNode, "\(path).rate", "must be 0 or more calls per second, got \(rateNode.text)") }
            var window = Arrivals.Window(start: 0, end: duration)
            if let w = fields.member("activity_window"), !w.isNull {
                let field = "\(path).activity_window"
                guard case .array(let bounds) = w.value, bounds.count == 2,
                    case .number(let a, _) = bounds[0].value, case .number(let b, _) = bounds[1].value
                else {
                    throw fail(w, field, "must be two numbers [start, end] in seconds, got \(w.text)")
                }
                guard a < b else { throw fail(w, field, "start must be less than end, got [\(bounds[0].text), \(bounds[1].text)]") }
                guard a >= 0, b <= duration else {
                    throw fail(
                        w, field, "must lie inside the run [0, \(Self.format(duration))], got [\(bounds[0].text), \(bounds[1].text)]")
                }
                window = Arrivals.Window(start: a, end: b)
            }
            guard rate * (window.end - window.start) <= Self.maximumCallsPerInstance else {
                throw fail(
                    rateNode, "\(path).rate",
                    "would make about \(Self.format((rate * (window.end - window.start)).rounded())) calls per phase; the limit is 10^9")
            }
            switch distribution {
            case "Uniform": arrivals = .uniform(rate: rate, window: window)
            case "Poisson": arrivals = .poisson(rate: rate, window: window)
            default:
                throw fail(distributionNode, "\(path).distribution", "must be \"Uniform\" or \"Poisson\", got \(distributionNode.text)")
            }
        }

        let target = try self.target(fields, path: path, application: application)
        // FaaSProfiler's `param_file` (the action's input parameters) is the payload when
        // `payload` is absent.
        var payloads = [RawJSON.emptyObject]
        let payloadNode = fields.member("payload").flatMap { $0.isNull ? nil : $0 }
        let paramNode = fields.member("param_file").flatMap { $0.isNull ? nil : $0 }
        if let p = payloadNode {
            payloads = try loadPayloads(p, field: "\(path).payload")
            if let q = paramNode { warnings.append("\(file):\(q.line): \(path).param_file: ignored, payload is given") }
        } else if let p = paramNode {
            payloads = try loadPayloads(p, field: "\(path).param_file")
        }
        if let node = payloadNode ?? paramNode {
            try checkPayloadSizes(payloads, target: target, node: node, field: "\(path).\(payloadNode != nil ? "payload" : "param_file")")
        }
        var instance = Instance(name: name, application: application, arrivals: arrivals, target: target, payloads: payloads)
        instance.payloadOrder = try payloadOrder(fields, path: path, payloadCount: payloads.count)
        instance.cold = try cold(fields, path: path, arrivals: arrivals)
        instance.responseFields = try responseFields(fields, path: path)
        return instance
    }

    // MARK: Helpers

    func fail(_ node: JSONNode, _ field: String, _ problem: String) -> InputError {
        InputError(file: file, line: node.line, field: field, problem: problem)
    }

    func object(_ node: JSONNode, _ path: String) throws -> ObjectFields {
        guard case .object(let members) = node.value else {
            throw fail(node, path.isEmpty ? "workload" : path, "must be a JSON object, got \(node.typeName)")
        }
        return ObjectFields(node: node, path: path, members: members)
    }

    func string(_ node: JSONNode, _ field: String, allowEmpty: Bool = false) throws -> String {
        guard case .string(let s) = node.value else { throw fail(node, field, "must be a string, got \(node.typeName)") }
        guard allowEmpty || !s.isEmpty else { throw fail(node, field, "must not be empty") }
        return s
    }

    func number(_ node: JSONNode, _ field: String) throws -> Double {
        guard case .number(let d, _) = node.value else { throw fail(node, field, "must be a number, got \(node.typeName) \(node.text)") }
        return d
    }

    func warnUnknown(_ fields: ObjectFields, known: Set<String>, ignored: Set<String>, into warnings: inout [String]) {
        for (key, node) in fields.members where !known.contains(key) {
            let field = fields.path.isEmpty ? key : "\(fields.path).\(key)"
            let why = ignored.contains(key) ? "a FaaSProfiler key with no effect here, ignored" : "unknown key, ignored"
            warnings.append("\(file):\(node.line): \(field): \(why)")
        }
    }

    /// Every instance names a closed loop (its details are checked with the instance).
    static func onlyClosedLoops(_ instances: JSONNode?) -> Bool {
        guard let members = instances?.members, !members.isEmpty else { return false }
        return members.allSatisfy { _, node in loopKeys.contains { node[$0] != nil } }
    }

    /// 1-100 of [A-Za-z0-9._-], not starting with '.' or '-': safe as runs/<test_name>/.
    public static func isSafeFolderName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...100).contains(bytes.count), bytes[0] != UInt8(ascii: "."), bytes[0] != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
        }
    }

    static func format(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }
}

/// The members of one JSON object being validated.
struct ObjectFields {
    let node: JSONNode
    let path: String
    let members: [(key: String, node: JSONNode)]

    func member(_ key: String) -> JSONNode? { members.first { $0.key == key }?.node }

    func required(_ key: String, _ parser: WorkloadParser, hint: String = "") throws -> JSONNode {
        guard let n = member(key) else {
            let field = path.isEmpty ? key : "\(path).\(key)"
            throw parser.fail(node, field, "missing" + (hint.isEmpty ? "" : " (\(hint))"))
        }
        return n
    }
}

extension JSONNode {
    /// Short text of the value for messages.
    var text: String {
        switch value {
        case .number(_, let t): t
        case .string(let s): "\"\(s.count > 40 ? String(s.prefix(40)) + "..." : s)\""
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        case .array(let a): a.count <= 4 ? "[" + a.map(\.text).joined(separator: ", ") + "]" : "an array of \(a.count)"
        case .object: "an object"
        }
    }
}
