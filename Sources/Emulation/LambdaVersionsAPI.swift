import Foundation
import JSON
import SigV4

/// PublishVersion, ListVersionsByFunction, the alias operations, and the qualifier of Invoke,
/// GetFunction, GetFunctionConfiguration and DeleteFunction (`?Qualifier=` or `name:qualifier`).
extension Router {
    /// The reply to a versions or aliases operation or to a qualified call; nil for a call
    /// the rest of the Lambda API answers (unqualified, or qualified by `$LATEST` or an alias of it).
    func versionsAPI(
        _ name: String, qualifier: String?, parts: [String], _ request: HTTPRequest, requestId: String
    ) async -> HTTPReply? {
        let action = parts.count > 4 ? parts[4] : ""
        if action == "versions" || action == "aliases" {
            if let qualifier {
                return invalidParameter(
                    "\(action == "versions" ? "Versions" : "Aliases") belong to the unqualified function: \(arn(name)):\(qualifier)",
                    requestId)
            }
            switch (request.method, action, parts.count) {
            case ("POST", "versions", 5): return publishVersion(name, request, requestId: requestId)
            case ("GET", "versions", 5): return listVersions(name, request, requestId: requestId)
            case ("POST", "aliases", 5): return createAlias(name, request, requestId: requestId)
            case ("GET", "aliases", 5): return listAliases(name, request, requestId: requestId)
            case ("GET", "aliases", 6), ("PUT", "aliases", 6), ("DELETE", "aliases", 6):
                return aliasOperation(name, PercentEncoding.decode(parts[5]), request, requestId: requestId)
            default: return unknownOperation(requestId)
            }
        }
        guard let qualifier, qualifier != "$LATEST" else { return nil }
        guard !qualifier.isEmpty, qualifier.count <= 128,
            qualifier.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "$") })
        else {
            return invalidParameter(
                "1 validation error detected: Value '\(qualifier)' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)",
                requestId)
        }
        switch (request.method, action, parts.count) {
        case ("PUT", "configuration", 5), ("PUT", "code", 5):
            // A version never changes; an alias is changed with UpdateAlias.
            return invalidParameter(
                "\(arn(name)):\(qualifier) is qualified: only $LATEST's configuration and code can be updated (publish a version, or UpdateAlias)",
                requestId)
        case ("DELETE", "", 4): return deleteVersion(name, qualifier, requestId: requestId)
        case ("POST", "invocations", 5), ("GET", "configuration", 5), ("GET", "", 4): break
        default: return nil
        }
        switch pool.resolve(name, qualifier: qualifier) {
        case .functionNotFound: return notFound(name, requestId)
        case .qualifierNotFound: return qualifierNotFound(name, qualifier, requestId)
        case .latest: return nil
        case .version(let f, let version):
            switch action {
            case "invocations": return await invoke(name, version: version.number, qualifier: qualifier, request, requestId: requestId)
            case "configuration":
                return .json(
                    200, jsonObject { w in configurationMembers(f, version: version, arnQualifier: qualifier, into: &w) },
                    requestId: requestId)
            default: return getFunction(f, version: version, arnQualifier: qualifier, requestId: requestId)
            }
        }
    }

    func qualifierNotFound(_ name: String, _ qualifier: String, _ requestId: String) -> HTTPReply {
        AWSError.lambda(404, "ResourceNotFoundException", "Function not found: \(arn(name)):\(qualifier)", requestId: requestId)
    }

    /// GetFunction's answer: the configuration, and where the code would be (nowhere to download here).
    func getFunction(
        _ f: FunctionPool.FunctionState, version: PublishedVersion? = nil, arnQualifier: String? = nil, requestId: String
    ) -> HTTPReply {
        let body = jsonObject { w in
            w.key("Configuration")
            configuration(f, version: version, arnQualifier: arnQualifier, into: &w)
            w.key("Code")
            w.beginObject()
            w.key("RepositoryType")
            w.string("S3")
            w.key("Location")
            w.string("")
            w.endObject()
        }
        return .json(200, body, requestId: requestId)
    }

    /// A JSON object body; an empty body is an empty object (PublishVersion needs none).
    private func requestObject(_ request: HTTPRequest, _ requestId: String) -> Result<JSONNode, HTTPReplyError> {
        let failure = HTTPReplyError(
            reply: AWSError.lambda(400, "InvalidRequestContentException", "Could not parse request body into json", requestId: requestId))
        guard !request.body.isEmpty else { return .success(.emptyObject) }
        guard let body = try? JSONTree.parse(request.body), case .object = body.value else { return .failure(failure) }
        return .success(body)
    }

    /// An optional string member of at most `limit` characters.
    private func optionalString(_ body: JSONNode, _ key: String, limit: Int, _ requestId: String) -> Result<String?, HTTPReplyError> {
        guard let node = body[key] else { return .success(nil) }
        if case .null = node.value { return .success(nil) }
        guard let text = node.string, text.count <= limit else {
            return .failure(
                HTTPReplyError(
                    reply: invalidParameter(
                        "1 validation error detected: Value at '\(key.prefix(1).lowercased() + key.dropFirst())' failed to satisfy constraint: Member must have length less than or equal to \(limit)",
                        requestId)))
        }
        return .success(text)
    }

    func publishVersion(_ name: String, _ request: HTTPRequest, requestId: String) -> HTTPReply {
        let body: JSONNode
        let description: String?
        let codeSha256: String?
        let revisionId: String?
        do {
            body = try requestObject(request, requestId).get()
            description = try optionalString(body, "Description", limit: FunctionDefinition.maxDescriptionLength, requestId).get()
            codeSha256 = try optionalString(body, "CodeSha256", limit: 1024, requestId).get()
            revisionId = try optionalString(body, "RevisionId", limit: 1024, requestId).get()
        } catch { return error.reply }
        switch pool.publish(name, description: description, codeSha256: codeSha256, revisionId: revisionId) {
        case .notFound: return notFound(name, requestId)
        case .conflict:
            guard pool.snapshot(name)?.state == .pending else { return updateInProgress(name, requestId) }
            return AWSError.lambda(
                409, "ResourceConflictException",
                "The operation cannot be performed at this time. The function is currently in the following state: Pending",
                requestId: requestId)
        case .codeMismatch(let current):
            return invalidParameter(
                "CodeSHA256 (\(codeSha256 ?? "")) is different from current CodeSHA256 in $LATEST (\(current)). Please try again with the CodeSHA256 in $LATEST.",
                requestId)
        case .revisionMismatch: return revisionMismatch("GetFunction", requestId)
        case .failed(let why): return AWSError.lambda(500, "ServiceException", why, requestId: requestId)
        case .published(let f, let version):
            return .json(
                201, jsonObject { w in configurationMembers(f, version: version, arnQualifier: String(version.number), into: &w) },
                requestId: requestId)
        }
    }

    func revisionMismatch(_ getter: String, _ requestId: String) -> HTTPReply {
        AWSError.lambda(
            412, "PreconditionFailedException",
            "The Revision Id provided does not match the latest Revision Id. Call the \(getter) API to retrieve the latest Revision Id",
            requestId: requestId)
    }

    /// `MaxItems` (at most 50 a page, as ListFunctions) and where `Marker` starts, in `keys`.
    private func page(_ request: HTTPRequest, keys: [String]) -> (range: Range<Int>, next: String?) {
        let query = Dictionary(request.queryItems, uniquingKeysWith: { a, _ in a })
        let start = query["Marker"].flatMap { m in keys.firstIndex(of: m) } ?? 0
        let maxItems = min(50, max(1, query["MaxItems"].flatMap { Int($0) } ?? 50))
        let end = min(keys.count, start + maxItems)
        return (start..<end, end < keys.count ? keys[end] : nil)
    }

    func listVersions(_ name: String, _ request: HTTPRequest, requestId: String) -> HTTPReply {
        guard let f = pool.snapshot(name) else { return notFound(name, requestId) }
        // $LATEST first, then the versions by number.
        let entries: [PublishedVersion?] = [nil] + f.versions.published.map { $0 }
        let (range, next) = page(request, keys: entries.map { $0.map { String($0.number) } ?? "$LATEST" })
        let body = jsonObject { w in
            w.key("Versions")
            w.beginArray()
            for version in entries[range] {
                configuration(f, version: version, arnQualifier: version.map { String($0.number) } ?? "$LATEST", into: &w)
            }
            w.endArray()
            if let next {
                w.key("NextMarker")
                w.string(next)
            }
        }
        return .json(200, body, requestId: requestId)
    }

    func aliasJSON(_ name: String, _ alias: FunctionAlias, into w: inout JSONWriter) {
        w.beginObject()
        w.key("AliasArn")
        w.string(arn(name) + ":" + alias.name)
        w.key("Name")
        w.string(alias.name)
        w.key("FunctionVersion")
        w.string(alias.functionVersion)
        w.key("Description")
        w.string(alias.description)
        w.key("RevisionId")
        w.string(alias.revisionId)
        w.endObject()
    }

    private func aliasReply(
        _ name: String, _ aliasName: String, _ result: FunctionPool.AliasResult, status: Int, _ requestId: String
    )
        -> HTTPReply
    {
        switch result {
        case .alias(let alias):
            var w = JSONWriter()
            aliasJSON(name, alias, into: &w)
            return .json(status, w.bytes, requestId: requestId)
        case .functionNotFound: return notFound(name, requestId)
        case .aliasNotFound:
            return AWSError.lambda(
                404, "ResourceNotFoundException", "Alias not found: \(arn(name)):\(aliasName)", requestId: requestId)
        case .versionNotFound(let version): return qualifierNotFound(name, version, requestId)
        case .exists:
            return AWSError.lambda(
                409, "ResourceConflictException", "Alias already exists: \(arn(name)):\(aliasName)", requestId: requestId)
        case .revisionMismatch: return revisionMismatch("GetAlias", requestId)
        }
    }

    /// `FunctionVersion` (`$LATEST` or a number) and `Description`, checked; weighted routing is refused.
    private func aliasFields(
        _ body: JSONNode, requireVersion: Bool, _ requestId: String
    ) -> Result<
        (version: String?, description: String?), HTTPReplyError
    > {
        do {
            let version = try optionalString(body, "FunctionVersion", limit: 1024, requestId).get()
            if let version, version != "$LATEST", version.isEmpty || !version.allSatisfy(\.isNumber) {
                return .failure(
                    HTTPReplyError(
                        reply: invalidParameter(
                            "1 validation error detected: Value '\(version)' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)",
                            requestId)))
            }
            if requireVersion && version == nil {
                return .failure(
                    HTTPReplyError(
                        reply: invalidParameter(
                            "1 validation error detected: Value null at 'functionVersion' failed to satisfy constraint: Member must not be null",
                            requestId)))
            }
            if let weights = body["RoutingConfig"]?["AdditionalVersionWeights"], weights.members?.isEmpty == false {
                return .failure(
                    HTTPReplyError(
                        reply: invalidParameter(
                            "lambda-emulator does not support weighted aliases: RoutingConfig.AdditionalVersionWeights must be empty",
                            requestId)))
            }
            let description = try optionalString(body, "Description", limit: FunctionDefinition.maxDescriptionLength, requestId).get()
            return .success((version, description))
        } catch { return .failure(error) }
    }

    func createAlias(_ name: String, _ request: HTTPRequest, requestId: String) -> HTTPReply {
        let body: JSONNode
        let fields: (version: String?, description: String?)
        do {
            body = try requestObject(request, requestId).get()
            fields = try aliasFields(body, requireVersion: true, requestId).get()
        } catch { return error.reply }
        let aliasName = body["Name"]?.string ?? ""
        guard FunctionVersions.isValidAliasName(aliasName) else { return badAliasName(aliasName, requestId) }
        let alias = FunctionAlias(
            name: aliasName, functionVersion: fields.version ?? "$LATEST", description: fields.description ?? "",
            revisionId: FunctionPool.newRevision())
        return aliasReply(name, aliasName, pool.createAlias(name, alias), status: 201, requestId)
    }

    func badAliasName(_ aliasName: String, _ requestId: String) -> HTTPReply {
        invalidParameter(
            "1 validation error detected: Value '\(aliasName)' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
            requestId)
    }

    func aliasOperation(_ name: String, _ aliasName: String, _ request: HTTPRequest, requestId: String) -> HTTPReply {
        guard FunctionVersions.isValidAliasName(aliasName) else { return badAliasName(aliasName, requestId) }
        switch request.method {
        case "GET":
            guard let f = pool.snapshot(name) else { return notFound(name, requestId) }
            let result: FunctionPool.AliasResult = f.versions.alias(aliasName).map { .alias($0) } ?? .aliasNotFound
            return aliasReply(name, aliasName, result, status: 200, requestId)
        case "PUT":
            let body: JSONNode
            let fields: (version: String?, description: String?)
            let revisionId: String?
            do {
                body = try requestObject(request, requestId).get()
                fields = try aliasFields(body, requireVersion: false, requestId).get()
                revisionId = try optionalString(body, "RevisionId", limit: 1024, requestId).get()
            } catch { return error.reply }
            let result = pool.updateAlias(
                name, aliasName, functionVersion: fields.version, description: fields.description, revisionId: revisionId)
            return aliasReply(name, aliasName, result, status: 200, requestId)
        default:
            guard pool.deleteAlias(name, aliasName) else { return notFound(name, requestId) }
            return HTTPReply(status: 204, headers: [("x-amzn-RequestId", requestId)])
        }
    }

    func listAliases(_ name: String, _ request: HTTPRequest, requestId: String) -> HTTPReply {
        guard let f = pool.snapshot(name) else { return notFound(name, requestId) }
        let query = Dictionary(request.queryItems, uniquingKeysWith: { a, _ in a })
        let aliases = f.versions.aliases.filter { alias in query["FunctionVersion"].map { $0 == alias.functionVersion } ?? true }
        let (range, next) = page(request, keys: aliases.map(\.name))
        let body = jsonObject { w in
            w.key("Aliases")
            w.beginArray()
            for alias in aliases[range] { aliasJSON(name, alias, into: &w) }
            w.endArray()
            if let next {
                w.key("NextMarker")
                w.string(next)
            }
        }
        return .json(200, body, requestId: requestId)
    }

    /// DeleteFunction with a version's number: that version only. An alias is deleted with DeleteAlias.
    func deleteVersion(_ name: String, _ qualifier: String, requestId: String) -> HTTPReply {
        guard let number = Int(qualifier) else {
            return invalidParameter("\(arn(name)):\(qualifier) is an alias: delete it with DeleteAlias", requestId)
        }
        switch pool.deleteVersion(name, number) {
        case .deleted: return HTTPReply(status: 204, headers: [("x-amzn-RequestId", requestId)])
        case .notFound:
            return pool.snapshot(name) == nil ? notFound(name, requestId) : qualifierNotFound(name, qualifier, requestId)
        case .aliased(let aliases):
            return AWSError.lambda(
                409, "ResourceConflictException",
                "Unable to delete version because the following aliases reference it: [\(aliases.joined(separator: ", "))]",
                requestId: requestId)
        }
    }
}
