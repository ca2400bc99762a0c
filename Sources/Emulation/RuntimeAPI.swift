import Foundation
import JSON
import SeededRandom
import SigV4
import Synchronization

/// The Lambda Runtime API (2018-06-01) of one execution environment, as a user runtime
/// (a `bootstrap`, awslambdaric) calls it at `http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/...`:
///
/// - `GET invocation/next`: the next event (200, the payload as the body, `Lambda-Runtime-*` headers);
///   the first call ends the init phase.
/// - `POST invocation/{id}/response`: the result (202 `{"status":"OK"}`); over 6 MB: 413
///   `RequestEntityTooLarge` and the invocation fails with `Function.ResponseSizeTooLarge`.
/// - `POST invocation/{id}/error`: a function error; its type from `Lambda-Runtime-Function-Error-Type`,
///   kept when it reads `Runtime.X` or `Function.X`, else `Runtime.Unknown`, as Lambda does; the
///   body (`{"errorMessage", "errorType", "stackTrace"}`) becomes the Invoke answer unchanged.
/// - `POST init/error`: the init failed (202); the first invocation answers with this body.
///
/// A call out of order is 403 `InvalidStateTransition`, a request id other than the current
/// one 400 `InvalidRequestID`, other paths 404, other methods 405.
final class RuntimeAPIHandler: HTTPRequestHandler {
    static let version = "2018-06-01"
    static let prefix = "/\(version)/runtime/"

    let session: RuntimeSession
    private let ids: Mutex<SplitMix64>

    init(session: RuntimeSession) {
        self.session = session
        var random = SystemRandomNumberGenerator()
        ids = Mutex(SplitMix64(seed: random.next()))
    }

    func newRequestId() -> String { ids.withLock { $0.uuid() } }

    func handle(_ request: HTTPRequest) async -> HTTPReply {
        guard request.path.hasPrefix(Self.prefix) else { return Self.notFound() }
        let parts = request.path.dropFirst(Self.prefix.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 2 where parts == ["invocation", "next"]:
            guard request.method == "GET" else { return Self.methodNotAllowed() }
            return await next()
        case 2 where parts == ["init", "error"]:
            guard request.method == "POST" else { return Self.methodNotAllowed() }
            return Self.reply(session.initError(type: Self.errorType(request), body: request.body))
        case 3 where parts[0] == "invocation" && (parts[2] == "response" || parts[2] == "error"):
            guard request.method == "POST" else { return Self.methodNotAllowed() }
            let requestId = PercentEncoding.decode(parts[1])
            if parts[2] == "error" {
                return Self.reply(session.respond(requestId: requestId, .error(type: Self.errorType(request), body: request.body)))
            }
            guard !request.bodyTooLarge else {
                let body = Self.errorJSON(
                    type: "Function.ResponseSizeTooLarge",
                    message: "Response payload size exceeded maximum allowed payload size (\(EmulatorOptions.maxPayloadBytes) bytes).")
                let result = session.respond(requestId: requestId, .error(type: "Function.ResponseSizeTooLarge", body: body))
                guard result == .accepted else { return Self.reply(result) }
                return Self.json(
                    413,
                    Self.errorJSON(
                        type: "RequestEntityTooLarge",
                        message: "Exceeded maximum allowed payload size (\(EmulatorOptions.maxPayloadBytes) bytes)."))
            }
            return Self.reply(session.respond(requestId: requestId, .response(request.body)))
        default:
            return Self.notFound()
        }
    }

    private func next() async -> HTTPReply {
        switch await session.next() {
        case .invocation(let invocation):
            var headers: [(name: String, value: String)] = [
                ("Content-Type", "application/json"),
                ("Lambda-Runtime-Aws-Request-Id", invocation.requestId),
                ("Lambda-Runtime-Deadline-Ms", String(invocation.deadlineMs)),
                ("Lambda-Runtime-Invoked-Function-Arn", invocation.functionArn),
                ("Lambda-Runtime-Trace-Id", invocation.traceId),
            ]
            // As on Lambda, present only when the caller sent them.
            if let context = invocation.clientContext { headers.append(("Lambda-Runtime-Client-Context", context)) }
            if let identity = invocation.cognitoIdentity { headers.append(("Lambda-Runtime-Cognito-Identity", identity)) }
            return HTTPReply(status: 200, headers: headers, body: invocation.payload)
        case .invalidState(let message):
            return Self.json(403, Self.errorJSON(type: "InvalidStateTransition", message: message))
        case .closed:
            return Self.json(500, Self.errorJSON(type: "InternalServerError", message: "The execution environment is shutting down"))
        }
    }

    /// Lambda keeps an error type that names a runtime or function error (`Runtime.X`, `Function.X`
    /// with X a capitalised word) and replaces any other by `Runtime.Unknown` (`Function.Unknown`
    /// for other `Function.` names).
    static func errorType(_ request: HTTPRequest) -> String {
        let raw = request.header("Lambda-Runtime-Function-Error-Type") ?? ""
        for prefix in ["Runtime.", "Function."] where raw.hasPrefix(prefix) {
            let name = raw.dropFirst(prefix.count).unicodeScalars
            if let first = name.first, ("A"..."Z").contains(first), name.count >= 2,
                name.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) })
            {
                return raw
            }
        }
        return raw.hasPrefix("Function.") ? "Function.Unknown" : "Runtime.Unknown"
    }

    static func reply(_ result: RuntimeSession.PostResult) -> HTTPReply {
        switch result {
        case .accepted:
            return json(
                202,
                jsonObject { w in
                    w.key("status")
                    w.string("OK")
                })
        case .invalidRequestId: return json(400, errorJSON(type: "InvalidRequestID", message: "Invalid request ID"))
        case .invalidState(let message): return json(403, errorJSON(type: "InvalidStateTransition", message: message))
        }
    }

    static func errorJSON(type: String, message: String) -> [UInt8] {
        jsonObject { w in
            w.key("errorMessage")
            w.string(message)
            w.key("errorType")
            w.string(type)
        }
    }

    static func json(_ status: Int, _ body: [UInt8]) -> HTTPReply {
        HTTPReply(status: status, headers: [("Content-Type", "application/json")], body: body)
    }

    static func notFound() -> HTTPReply {
        HTTPReply(status: 404, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array("404 page not found\n".utf8))
    }

    static func methodNotAllowed() -> HTTPReply { HTTPReply(status: 405) }
}
