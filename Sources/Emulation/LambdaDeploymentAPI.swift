import Foundation
import JSON

/// CreateFunction, UpdateFunctionCode and DeleteFunction: a user's own function, from a zip
/// (`Code.ZipFile`), run by one of `FunctionCode.supportedRuntimes`.
extension Router {
    /// The request body limit of the operations that carry a zip (the rest: 6 MB).
    static func bodyLimit(method: String, path: String) -> Int {
        let isCreate = method == "POST" && (path == "/2015-03-31/functions" || path == "/2015-03-31/functions/")
        let isCodeUpdate = method == "PUT" && path.hasPrefix("/2015-03-31/functions/") && path.hasSuffix("/code")
        return isCreate || isCodeUpdate ? CodeArchive.maxRequestBytes : EmulatorOptions.maxPayloadBytes
    }

    func invalidParameter(_ message: String, _ requestId: String) -> HTTPReply {
        AWSError.lambda(400, "InvalidParameterValueException", message, requestId: requestId)
    }

    func tooLarge(_ operation: String, _ requestId: String) -> HTTPReply {
        AWSError.lambda(
            413, "RequestEntityTooLargeException",
            "Request must be smaller than \(CodeArchive.maxRequestBytes) bytes for the \(operation) operation", requestId: requestId)
    }

    private func parseObject(_ request: HTTPRequest, _ requestId: String) -> Result<JSONNode, HTTPReplyError> {
        do {
            let body = try JSONTree.parse(request.body)
            guard case .object = body.value else { throw HTTPReplyError(reply: HTTPReply(status: 400)) }
            return .success(body)
        } catch {
            return .failure(
                HTTPReplyError(
                    reply: AWSError.lambda(
                        400, "InvalidRequestContentException", "Could not parse request body into json", requestId: requestId)))
        }
    }

    /// `Code.ZipFile` (base64), unpacked for `runtime`.
    private func unpackZip(
        _ base64: String?, runtime: String, handler: String, name: String, operation: String, _ requestId: String
    ) -> Result<
        CodeArchive.Unpacked, HTTPReplyError
    > {
        guard let base64 else {
            return .failure(HTTPReplyError(reply: invalidParameter("lambda-emulator takes the code as Code.ZipFile only", requestId)))
        }
        guard let zip = Data(base64Encoded: base64) else {
            return .failure(HTTPReplyError(reply: invalidParameter(CodeArchive.unreadable, requestId)))
        }
        do {
            return .success(try CodeArchive.unpack(Array(zip), runtime: runtime, handler: handler, into: pool.newCodeDirectory(for: name)))
        } catch {
            switch error {
            case .tooLarge: return .failure(HTTPReplyError(reply: tooLarge(operation, requestId)))
            case .invalid(let message): return .failure(HTTPReplyError(reply: invalidParameter(message, requestId)))
            }
        }
    }

    func createFunction(_ request: HTTPRequest, requestId: String) -> HTTPReply {
        if request.bodyTooLarge { return tooLarge("CreateFunction", requestId) }
        let body: JSONNode
        switch parseObject(request, requestId) {
        case .success(let b): body = b
        case .failure(let e): return e.reply
        }
        guard let name = body["FunctionName"]?.string, !name.isEmpty, name.count <= 64,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            return invalidParameter(
                "1 validation error detected: Value at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]{1,64}",
                requestId)
        }
        let runtime = body["Runtime"]?.string ?? ""
        guard FunctionCode.supportedRuntimes.contains(runtime) else {
            return invalidParameter(
                "1 validation error detected: Value '\(runtime)' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [\(FunctionCode.supportedRuntimes.joined(separator: ", "))] (the runtimes lambda-emulator runs)",
                requestId)
        }
        guard let role = body["Role"]?.string, role.hasPrefix("arn:aws:iam::"), role.contains(":role/") else {
            return invalidParameter("The role defined for the function cannot be assumed by Lambda.", requestId)
        }
        guard let handler = body["Handler"]?.string, !handler.isEmpty else {
            return invalidParameter(
                "1 validation error detected: Value null at 'handler' failed to satisfy constraint: Member must not be null", requestId)
        }
        if let architectures = body["Architectures"]?.array,
            architectures.map({ $0.string }) != [FunctionCode.hostArchitecture]
        {
            return invalidParameter(
                "lambda-emulator runs code of its host's architecture only: Architectures must be [\(FunctionCode.hostArchitecture)]",
                requestId)
        }
        // MemorySize, Timeout, Description and Environment are checked as UpdateFunctionConfiguration checks them.
        let change: ConfigurationChange
        do { change = try ConfigurationChange.parse(body, userCode: true) } catch { return invalidParameter(error.message, requestId) }
        guard pool.snapshot(name) == nil else { return conflict(name, requestId) }
        let unpacked: CodeArchive.Unpacked
        if PythonRuntime.isPython(runtime), case .failure(let missing) = pool.python.path() {
            return invalidParameter(missing.description, requestId)
        }
        switch unpackZip(
            body["Code"]?["ZipFile"]?.string, runtime: runtime, handler: handler, name: name, operation: "CreateFunction", requestId)
        {
        case .success(let u): unpacked = u
        case .failure(let e): return e.reply
        }
        var definition = FunctionDefinition(
            name: name, handler: handler, memoryMB: 128, timeoutSeconds: 3,
            code: FunctionCode(runtime: runtime, directory: unpacked.directory))
        definition.role = role
        change.apply(to: &definition)
        switch pool.create(definition, codeSize: unpacked.codeSize, codeSha256: unpacked.codeSha256) {
        case .conflict:
            try? FileManager.default.removeItem(atPath: unpacked.directory)
            return conflict(name, requestId)
        case .created(let f):
            return .json(201, jsonObject { w in configurationMembers(f, into: &w) }, requestId: requestId)
        }
    }

    private func conflict(_ name: String, _ requestId: String) -> HTTPReply {
        AWSError.lambda(409, "ResourceConflictException", "Function already exist: \(name)", requestId: requestId)
    }

    func updateFunctionCode(_ name: String, _ request: HTTPRequest, requestId: String) -> HTTPReply {
        if request.bodyTooLarge { return tooLarge("UpdateFunctionCode", requestId) }
        guard let current = pool.snapshot(name) else { return notFound(name, requestId) }
        guard let code = current.definition.code else {
            return invalidParameter("\(name) is a built-in handler of lambda-emulator: it has no code to update", requestId)
        }
        let body: JSONNode
        switch parseObject(request, requestId) {
        case .success(let b): body = b
        case .failure(let e): return e.reply
        }
        let unpacked: CodeArchive.Unpacked
        switch unpackZip(
            body["ZipFile"]?.string, runtime: code.runtime, handler: current.definition.handler, name: name,
            operation: "UpdateFunctionCode", requestId)
        {
        case .success(let u): unpacked = u
        case .failure(let e): return e.reply
        }
        let result = pool.update(name) { f in
            f.definition.code?.directory = unpacked.directory
            f.codeSize = unpacked.codeSize
            f.codeSha256 = unpacked.codeSha256
        }
        switch result {
        case .notFound:
            try? FileManager.default.removeItem(atPath: unpacked.directory)
            return notFound(name, requestId)
        case .conflict:
            try? FileManager.default.removeItem(atPath: unpacked.directory)
            return updateInProgress(name, requestId)
        case .accepted(let f):
            return .json(200, jsonObject { w in configurationMembers(f, into: &w) }, requestId: requestId)
        }
    }

    func deleteFunction(_ name: String, requestId: String) -> HTTPReply {
        guard pool.delete(name) else { return notFound(name, requestId) }
        return HTTPReply(status: 204, headers: [("x-amzn-RequestId", requestId)])
    }
}

/// A reply that ends a handler early (an error answer), carried through `Result`.
struct HTTPReplyError: Error {
    var reply: HTTPReply
}
