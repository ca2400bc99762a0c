import JSON

/// Where one scheduled call goes.
public enum Target: Hashable, Sendable {
    /// The Lambda Invoke API. `invocationType` is RequestResponse, Event or DryRun.
    case lambda(function: String, region: String?, invocationType: String, qualifier: String?)
    /// An HTTP endpoint such as an API Gateway URL; `signed` = IAM (SigV4 `execute-api`) auth.
    case http(url: String, method: String, signed: Bool)

    func write(to w: inout JSONWriter) {
        w.beginObject()
        switch self {
        case .lambda(let function, let region, let invocationType, let qualifier):
            w.key("kind")
            w.string("lambda")
            w.key("function")
            w.string(function)
            w.key("region")
            w.string(region)
            w.key("invocation_type")
            w.string(invocationType)
            if let qualifier {
                w.key("qualifier")
                w.string(qualifier)
            }
        case .http(let url, let method, let signed):
            w.key("kind")
            w.string("http")
            w.key("url")
            w.string(url)
            w.key("method")
            w.string(method)
            if signed {
                w.key("signed")
                w.bool(true)
            }
        }
        w.endObject()
    }

    static func read(_ s: inout JSONScanner) throws -> Target {
        var kind = ""
        var function = ""
        var url = ""
        var method = "POST"
        var invocationType = "RequestResponse"
        var region: String?
        var qualifier: String?
        var signed = false
        try s.readObject { key, s in
            switch key {
            case "kind": kind = try s.readString()
            case "function": function = try s.readString()
            case "region": region = s.readNull() ? nil : try s.readString()
            case "invocation_type": invocationType = try s.readString()
            case "qualifier": qualifier = s.readNull() ? nil : try s.readString()
            case "url": url = try s.readString()
            case "method": method = try s.readString()
            case "signed": signed = try s.readBool()
            default: try s.skipValue()
            }
        }
        switch kind {
        case "lambda":
            guard !function.isEmpty else { throw FieldFailure(field: "target.function", problem: "missing") }
            guard ["RequestResponse", "Event", "DryRun"].contains(invocationType) else {
                throw FieldFailure(field: "target.invocation_type", problem: "must be RequestResponse, Event or DryRun")
            }
            return .lambda(function: function, region: region, invocationType: invocationType, qualifier: qualifier)
        case "http":
            guard !url.isEmpty else { throw FieldFailure(field: "target.url", problem: "missing") }
            return .http(url: url, method: method, signed: signed)
        default:
            throw FieldFailure(field: "target.kind", problem: "must be \"lambda\" or \"http\"")
        }
    }

    /// The function this target reaches, for grouping results (the URL for HTTP targets).
    public var label: String {
        switch self {
        case .lambda(let function, _, _, _): function
        case .http(let url, _, _): url
        }
    }
}

/// A decoding problem located at a field; the NDJSON reader adds file and line.
public struct FieldFailure: Error, Sendable {
    public var field: String
    public var problem: String
    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }
}
