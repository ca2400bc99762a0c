import JSON
import RecordSchema

/// The parts of an instance that say where its calls go and what they carry.
extension WorkloadParser {
    func target(_ fields: ObjectFields, path: String, application: String) throws -> Target {
        let present = Self.httpKeys.filter { fields.member($0) != nil }
        if !present.isEmpty {
            for key in Self.httpKeys where fields.member(key) == nil {
                throw fail(
                    fields.node, "\(path).\(key)",
                    "missing: an HTTP target needs host, stage and resource (it has \(present.joined(separator: ", ")))")
            }
            for key in Self.lambdaOnlyKeys {
                if let n = fields.member(key) {
                    throw fail(n, "\(path).\(key)", "applies to Lambda targets only; this instance has host/stage/resource")
                }
            }
            let host = try string(fields.member("host")!, "\(path).host")
            guard !host.contains("/") else {
                throw fail(
                    fields.member("host")!, "\(path).host",
                    "must be a host name (and optional :port) without scheme or path, got \"\(host)\"")
            }
            let stage = try string(fields.member("stage")!, "\(path).stage", allowEmpty: true)
            let resource = try string(fields.member("resource")!, "\(path).resource", allowEmpty: true)
            var scheme = "https"
            if let n = fields.member("scheme"), !n.isNull {
                guard case .string(let s) = n.value, s == "https" || s == "http" else {
                    throw fail(n, "\(path).scheme", "must be \"https\" or \"http\", got \(n.text)")
                }
                scheme = s
            }
            var signed = false
            if let n = fields.member("signed"), !n.isNull {
                guard case .bool(let b) = n.value else { throw fail(n, "\(path).signed", "must be true or false, got \(n.typeName)") }
                signed = b
            }
            return .http(url: Self.url(scheme: scheme, host: host, stage: stage, resource: resource), method: "POST", signed: signed)
        }
        for key in Self.httpOnlyKeys {
            if let n = fields.member(key) {
                throw fail(n, "\(path).\(key)", "applies to HTTP targets only (give host, stage and resource)")
            }
        }
        var function = application
        if let n = fields.member("function_name"), !n.isNull { function = try string(n, "\(path).function_name") }
        var region: String? = nil
        if let n = fields.member("region"), !n.isNull { region = try string(n, "\(path).region") }
        var invocationType = "RequestResponse"
        if let n = fields.member("invocation_type"), !n.isNull {
            guard case .string(let s) = n.value, ["RequestResponse", "Event", "DryRun"].contains(s) else {
                throw fail(n, "\(path).invocation_type", "must be \"RequestResponse\", \"Event\" or \"DryRun\", got \(n.text)")
            }
            invocationType = s
        }
        var qualifier: String? = nil
        if let n = fields.member("qualifier"), !n.isNull { qualifier = try string(n, "\(path).qualifier") }
        return .lambda(function: function, region: region, invocationType: invocationType, qualifier: qualifier)
    }

    /// `<scheme>://<host>/<stage>/<resource>` without doubled slashes; `resource` may carry a query.
    static func url(scheme: String, host: String, stage: String, resource: String) -> String {
        func trimmed(_ s: String) -> Substring {
            var t = Substring(s)
            while t.hasPrefix("/") { t = t.dropFirst() }
            while t.hasSuffix("/") { t = t.dropLast() }
            return t
        }
        var url = "\(scheme)://\(host)"
        let stagePart = trimmed(stage)
        if !stagePart.isEmpty { url += "/" + stagePart }
        var resourcePart = Substring(resource)
        while resourcePart.hasPrefix("/") { resourcePart = resourcePart.dropFirst() }
        if !resourcePart.isEmpty { url += "/" + resourcePart }
        return url
    }

    // MARK: Payload files

    /// Lambda's request payload limits: 6 MB for a synchronous call (also the most a
    /// function behind API Gateway receives), 1 MB for an `Event` call.
    static let synchronousPayloadLimit = 6 * 1_048_576
    static let eventPayloadLimit = 1_048_576

    /// Refuses at plan time a payload Lambda would refuse on every call (413).
    func checkPayloadSizes(_ payloads: [RawJSON], target: Target, node: JSONNode, field: String) throws {
        var limit = Self.synchronousPayloadLimit
        var kind = "a synchronous call"
        if case .lambda(_, _, "Event", _) = target {
            limit = Self.eventPayloadLimit
            kind = "an Event call"
        }
        for (k, payload) in payloads.enumerated() where payload.text.utf8.count > limit {
            let which = payloads.count > 1 ? "input \(k) is" : "the payload is"
            throw fail(
                node, field,
                "\(which) \(payload.text.utf8.count) bytes (compacted); Lambda takes at most \(limit) bytes for \(kind)")
        }
    }

    func loadPayloads(_ node: JSONNode, field: String) throws -> [RawJSON] {
        let relative = try string(node, field)
        let path = relative.hasPrefix("/") ? relative : (baseDirectory.isEmpty ? relative : baseDirectory + "/" + relative)
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path)
        } catch let e as FileBytes.Failure {
            throw fail(node, field, "cannot read payload file \(path): \(e.reason)")
        }
        let root: JSONNode
        do {
            (root, _) = try JSONTree.parse(bytes, allowTrailingCommas: false)
        } catch let e as JSONSyntaxError {
            throw fail(node, field, "payload file \(path):\(e.line): not valid JSON: \(e.problem)")
        }
        // Re-read as raw text so payloads are sent exactly as written (compacted).
        var values: [RawJSON] = []
        bytes.withUnsafeBufferPointer { buffer in
            var s = JSONScanner(buffer)
            if case .array = root.value {
                try? s.readArray { _, s in values.append(try s.readRaw()) }
            } else if let raw = try? s.readRaw() {
                values.append(raw)
            }
        }
        if case .array = root.value, values.isEmpty {
            throw fail(node, field, "payload file \(path) is an empty array: give at least one input (or [{}])")
        }
        return values
    }
}
