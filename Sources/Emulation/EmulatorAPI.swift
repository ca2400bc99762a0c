/// The emulator's own endpoints, under `/rightsize/2026-12-01/`: not part of AWS's API, and not
/// SigV4-checked (they say nothing secret). Gateway routes cannot use the stage `rightsize`.
enum EmulatorAPI {
    static let pathRoot = "rightsize"
    static let version = "2026-12-01"
    /// `GET`: the counts of `EmulatorStatistics`, as JSON.
    static let statsPath = "/\(pathRoot)/\(version)/stats"
}

extension Router {
    func emulatorAPI(_ request: HTTPRequest, requestId: String) -> HTTPReply {
        guard request.path == EmulatorAPI.statsPath else {
            return AWSError.lambda(404, "UnknownOperationException", "Unknown operation", requestId: requestId)
        }
        guard request.method == "GET" else {
            return AWSError.lambda(405, "MethodNotAllowedException", "Use GET \(EmulatorAPI.statsPath)", requestId: requestId)
        }
        return .json(200, pool.statistics().json, requestId: requestId)
    }
}
