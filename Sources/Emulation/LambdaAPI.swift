import Foundation
import JSON
import SigV4

/// The Lambda API (REST-JSON, `/2015-03-31/functions/...`).
extension Router {
    func lambda(_ request: HTTPRequest, requestId: String) async -> HTTPReply {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // ["", "2015-03-31", "functions", name?, action?]
        guard parts.count >= 3, parts[2] == "functions" else { return unknownOperation(requestId) }
        if parts.count == 3 || (parts.count == 4 && parts[3].isEmpty) {
            if request.method == "POST" { return createFunction(request, requestId: requestId) }
            guard request.method == "GET" else { return unknownOperation(requestId) }
            return listFunctions(request, requestId: requestId)
        }
        let (name, qualifier) = Self.functionName(PercentEncoding.decode(parts[3]))
        let action = parts.count > 4 ? parts[4] : ""
        let query = Dictionary(request.queryItems, uniquingKeysWith: { a, _ in a })
        if let q = qualifier, let given = query["Qualifier"], q != given {
            return invalidParameter("The derived qualifier from the function name does not match the specified qualifier.", requestId)
        }
        // Versions, aliases and qualified calls (LambdaVersionsAPI); nil: an unqualified call.
        if let reply = await versionsAPI(name, qualifier: qualifier ?? query["Qualifier"], parts: parts, request, requestId: requestId) {
            return reply
        }
        switch (request.method, action, parts.count) {
        case ("POST", "invocations", 5):
            return await invoke(name, qualifier: qualifier ?? query["Qualifier"], request, requestId: requestId)
        case ("GET", "configuration", 5): return getConfiguration(name, requestId: requestId)
        case ("PUT", "configuration", 5): return updateConfiguration(name, request, requestId: requestId)
        case ("PUT", "code", 5): return updateFunctionCode(name, request, requestId: requestId)
        case ("DELETE", "", 4): return deleteFunction(name, requestId: requestId)
        case ("GET", "", 4):
            guard let f = pool.snapshot(name) else { return notFound(name, requestId) }
            return getFunction(f, requestId: requestId)
        default: return unknownOperation(requestId)
        }
    }

    /// A name, a partial ARN or a full ARN, with an optional `:qualifier`.
    static func functionName(_ raw: String) -> (String, String?) {
        var s = Substring(raw)
        if s.hasPrefix("arn:"), let r = s.range(of: ":function:") {
            s = s[r.upperBound...]
        } else if let r = s.range(of: ":function:") {
            s = s[r.upperBound...]
        }
        if let colon = s.firstIndex(of: ":") { return (String(s[..<colon]), String(s[s.index(after: colon)...])) }
        return (String(s), nil)
    }

    func arn(_ name: String) -> String { options.functionArn(name) }

    func notFound(_ name: String, _ requestId: String) -> HTTPReply {
        AWSError.lambda(404, "ResourceNotFoundException", "Function not found: \(arn(name))", requestId: requestId)
    }

    /// Lambda's answer to a change while the previous one is still being applied.
    func updateInProgress(_ name: String, _ requestId: String) -> HTTPReply {
        AWSError.lambda(
            409, "ResourceConflictException",
            "The operation cannot be performed at this time. An update is in progress for resource: \(arn(name))",
            requestId: requestId)
    }

    func unknownOperation(_ requestId: String) -> HTTPReply {
        AWSError.lambda(404, "UnknownOperationException", "Unknown operation", requestId: requestId)
    }

    /// Runs `$LATEST` (nil) or published version `version`, in that version's own environments.
    /// `qualifier`: as the caller named it (an alias, a number, `$LATEST`), for the runtime's invoked ARN.
    func invoke(_ name: String, version: Int? = nil, qualifier: String? = nil, _ request: HTTPRequest, requestId: String) async -> HTTPReply
    {
        let executedVersion = version.map(String.init) ?? "$LATEST"
        guard let function = pool.snapshot(name) else { return notFound(name, requestId) }
        guard function.state == .active else {
            return AWSError.lambda(
                409, "ResourceConflictException",
                "The operation cannot be performed at this time. The function is currently in the following state: \(function.state.rawValue)",
                requestId: requestId)
        }
        let type = request.header("X-Amz-Invocation-Type") ?? "RequestResponse"
        guard ["RequestResponse", "Event", "DryRun"].contains(type) else {
            return AWSError.lambda(
                400, "InvalidParameterValueException",
                "1 validation error detected: Value '\(type)' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
                requestId: requestId)
        }
        let logType = request.header("X-Amz-Log-Type") ?? "None"
        guard logType == "None" || logType == "Tail" else {
            return AWSError.lambda(
                400, "InvalidParameterValueException",
                "1 validation error detected: Value '\(logType)' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]",
                requestId: requestId)
        }
        if !request.body.isEmpty {
            do { _ = try JSONTree.parse(request.body) } catch {
                return AWSError.lambda(
                    400, "InvalidRequestContentException",
                    "Could not parse request body into json: Could not parse payload into json: \(error)", requestId: requestId)
            }
        }
        let payload = request.body.isEmpty ? Array("{}".utf8) : request.body
        switch type {
        case "DryRun":
            return HTTPReply(status: 204, headers: [("x-amzn-RequestId", requestId)])
        case "Event":
            guard payload.count <= EmulatorOptions.maxEventPayloadBytes else {
                return AWSError.lambda(
                    413, "RequestEntityTooLargeException",
                    "Request must be smaller than \(EmulatorOptions.maxEventPayloadBytes) bytes for the InvokeFunction operation",
                    requestId: requestId)
            }
            guard
                invoker.invokeInBackground(
                    function: name, version: version, qualifier: qualifier, payload: payload, requestId: requestId)
            else {
                return AWSError.lambda(
                    429, "TooManyRequestsException", "Rate Exceeded.", requestId: requestId, extraHeaders: [("Retry-After", "1")])
            }
            return HTTPReply(status: 202, headers: [("x-amzn-RequestId", requestId), ("X-Amz-Executed-Version", executedVersion)])
        default:
            // The runtime gets the client context decoded (`Lambda-Runtime-Client-Context`).
            let clientContext = request.header("X-Amz-Client-Context").flatMap { Data(base64Encoded: $0) }
                .map { String(decoding: $0, as: UTF8.self) }
            let result = await invoker.invoke(
                function: name, version: version, qualifier: qualifier, payload: payload, requestId: requestId,
                clientContext: clientContext)
            switch result.kind {
            case .notFound: return notFound(name, requestId)
            case .throttled:
                return AWSError.lambda(
                    429, "TooManyRequestsException", "Rate Exceeded.", requestId: requestId,
                    extraHeaders: [("Retry-After", "1")]
                ).withReason("ConcurrentInvocationLimitExceeded")
            case .serviceError(let why):
                return AWSError.lambda(500, "ServiceException", why, requestId: requestId)
            case .ok:
                var headers: [(name: String, value: String)] = [
                    ("Content-Type", "application/json"), ("x-amzn-RequestId", requestId),
                    ("X-Amz-Executed-Version", executedVersion),
                ]
                if let fe = result.functionError { headers.append(("X-Amz-Function-Error", fe)) }
                if logType == "Tail" {
                    let bytes = Array(result.logText.utf8)
                    headers.append(("X-Amz-Log-Result", Data(bytes.suffix(4096)).base64EncodedString()))
                }
                return HTTPReply(status: 200, headers: headers, body: result.body)
            }
        }
    }

    func getConfiguration(_ name: String, requestId: String) -> HTTPReply {
        guard let f = pool.snapshot(name) else { return notFound(name, requestId) }
        return .json(200, jsonObject { w in configurationMembers(f, into: &w) }, requestId: requestId)
    }

    func updateConfiguration(_ name: String, _ request: HTTPRequest, requestId: String) -> HTTPReply {
        let body: JSONNode
        do { body = request.body.isEmpty ? .emptyObject : try JSONTree.parse(request.body) } catch {
            return AWSError.lambda(
                400, "InvalidRequestContentException", "Could not parse request body into json: \(error)", requestId: requestId)
        }
        guard case .object = body.value else {
            return AWSError.lambda(
                400, "InvalidRequestContentException", "Could not parse request body into json: expected an object", requestId: requestId)
        }
        let change: ConfigurationChange
        do { change = try ConfigurationChange.parse(body, userCode: pool.snapshot(name)?.definition.code != nil) } catch {
            return AWSError.lambda(400, "InvalidParameterValueException", error.message, requestId: requestId)
        }
        switch pool.update(name, change) {
        case .notFound: return notFound(name, requestId)
        case .conflict:
            return updateInProgress(name, requestId)
        case .accepted(let f):
            return .json(200, jsonObject { w in configurationMembers(f, into: &w) }, requestId: requestId)
        }
    }

    func listFunctions(_ request: HTTPRequest, requestId: String) -> HTTPReply {
        let query = Dictionary(request.queryItems, uniquingKeysWith: { a, _ in a })
        let all = pool.allFunctions()
        let start = query["Marker"].flatMap { m in all.firstIndex { $0.definition.name == m } } ?? 0
        let maxItems = min(50, max(1, query["MaxItems"].flatMap { Int($0) } ?? 50))
        let page = all[start..<min(all.count, start + maxItems)]
        let body = jsonObject { w in
            w.key("Functions")
            w.beginArray()
            for f in page { configuration(f, into: &w) }
            w.endArray()
            if start + maxItems < all.count {
                w.key("NextMarker")
                w.string(all[start + maxItems].definition.name)
            }
        }
        return .json(200, body, requestId: requestId)
    }

    func configuration(
        _ f: FunctionPool.FunctionState, version: PublishedVersion? = nil, arnQualifier: String? = nil, into w: inout JSONWriter
    ) {
        w.beginObject()
        configurationMembers(f, version: version, arnQualifier: arnQualifier, into: &w)
        w.endObject()
    }

    /// `$LATEST`'s configuration, or a published version's (`version`); `arnQualifier`: the
    /// qualifier FunctionArn ends with (the version's number, or the alias it was asked by).
    func configurationMembers(
        _ f: FunctionPool.FunctionState, version: PublishedVersion? = nil, arnQualifier: String? = nil, into w: inout JSONWriter
    ) {
        let d = version?.definition ?? f.definition
        w.key("FunctionName")
        w.string(d.name)
        w.key("FunctionArn")
        w.string(arn(d.name) + (arnQualifier.map { ":" + $0 } ?? ""))
        w.key("Runtime")
        w.string(d.code?.runtime ?? "provided.al2023")
        w.key("Role")
        w.string(d.role)
        w.key("Handler")
        w.string(d.handler)
        w.key("CodeSize")
        w.int(version?.codeSize ?? f.codeSize)
        w.key("Description")
        w.string(d.description)
        // As on Lambda, `Environment` appears only when the function has variables.
        if !d.environment.isEmpty {
            w.key("Environment")
            w.beginObject()
            w.key("Variables")
            EnvironmentVariables.write(d.environment, to: &w)
            w.endObject()
        }
        w.key("Timeout")
        w.int(d.timeoutSeconds)
        w.key("MemorySize")
        w.int(d.memoryMB)
        w.key("LastModified")
        w.string(Timestamps.lambda(version?.lastModifiedMs ?? f.lastModifiedMs))
        w.key("CodeSha256")
        w.string(version?.codeSha256 ?? f.codeSha256)
        w.key("Version")
        w.string(version.map { String($0.number) } ?? "$LATEST")
        w.key("TracingConfig")
        w.beginObject()
        w.key("Mode")
        w.string("PassThrough")
        w.endObject()
        w.key("RevisionId")
        w.string(version?.revisionId ?? f.revisionId)
        // A published version is never pending or being updated.
        let state = version == nil ? f.state : .active
        let updateInProgress = version == nil && f.updateInProgress
        w.key("State")
        w.string(state.rawValue)
        if state == .pending {
            w.key("StateReason")
            w.string("The function is being created.")
            w.key("StateReasonCode")
            w.string("Creating")
        } else {
            // As on Lambda, a function being created has no last update yet.
            w.key("LastUpdateStatus")
            w.string(updateInProgress ? "InProgress" : "Successful")
        }
        if updateInProgress {
            w.key("LastUpdateStatusReason")
            w.string("The function is being updated.")
            w.key("LastUpdateStatusReasonCode")
            w.string("InProgress")
        }
        w.key("PackageType")
        w.string("Zip")
        w.key("Architectures")
        w.beginArray()
        w.string(FunctionCode.hostArchitecture)
        w.endArray()
        w.key("EphemeralStorage")
        w.beginObject()
        w.key("Size")
        w.int(FunctionDefinition.ephemeralStorageMB)
        w.endObject()
        w.key("LoggingConfig")
        w.beginObject()
        w.key("LogFormat")
        w.string("Text")
        w.key("LogGroup")
        w.string("/aws/lambda/\(d.name)")
        w.endObject()
    }
}

extension HTTPReply {
    /// Lambda's throttling body also says why (`Reason`).
    func withReason(_ reason: String) -> HTTPReply {
        var copy = self
        if let value = try? JSONTree.parse(body), case .object(var members) = value.value {
            members.insert((key: "Reason", node: JSONNode(.string(reason))), at: 0)
            var w = JSONWriter()
            JSONNode(.object(members)).write(to: &w)
            copy.body = w.bytes
        }
        return copy
    }
}
