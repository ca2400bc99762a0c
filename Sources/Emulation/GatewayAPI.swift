import JSON
import SigV4

/// API-Gateway-style routes: `POST /{stage}/{resource}` invokes the bound function and
/// answers its result. As on API Gateway, the request id in the answer is the gateway's.
extension Router {
    func gateway(_ request: HTTPRequest, requestId: String) async -> HTTPReply {
        let parts = request.path.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2,
            let route = options.config.routes.first(where: { $0.stage == parts[0] && $0.resource == PercentEncoding.decode(parts[1]) }),
            request.method == "POST"
        else {
            return AWSError.gateway(
                403, "Missing Authentication Token", requestId: requestId, errorType: "MissingAuthenticationTokenException")
        }
        if request.bodyTooLarge {
            return AWSError.gateway(413, "Request Too Long", requestId: requestId)
        }
        let payload = request.body.isEmpty ? Array("{}".utf8) : request.body
        guard (try? JSONTree.parse(payload)) != nil else {
            return AWSError.gateway(400, "Could not parse request body into json", requestId: requestId, errorType: "BadRequestException")
        }
        let result = await invoker.invoke(function: route.function, payload: payload, requestId: newRequestId())
        switch result.kind {
        case .ok where result.functionError == nil:
            return HTTPReply(
                status: 200,
                headers: [
                    ("Content-Type", "application/json"), ("x-amzn-RequestId", requestId),
                    ("x-amz-apigw-id", String(requestId.prefix(8))),
                ],
                body: result.body)
        case .ok, .serviceError:
            return AWSError.gateway(502, "Internal server error", requestId: requestId, errorType: "InternalServerErrorException")
        case .throttled:
            return AWSError.gateway(429, "Too Many Requests", requestId: requestId, errorType: "TooManyRequestsException")
        case .notFound:
            return AWSError.gateway(502, "Internal server error", requestId: requestId, errorType: "InternalServerErrorException")
        }
    }
}
