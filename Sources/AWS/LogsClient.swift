import CurlHTTP
import JSON

/// CloudWatch Logs over its JSON 1.1 protocol (`POST /`, `X-Amz-Target: Logs_20140328.<Op>`),
/// signed for service `logs`; endpoint from AWS_ENDPOINT_URL_CLOUDWATCH_LOGS / AWS_ENDPOINT_URL.
///
/// No retries here: await-logs paces and retries FilterLogEvents itself, because the 5 requests/s
/// quota is shared by every function it polls.
public struct LogsClient: Sendable {
    public let sender: AWSRequestSender

    public init(http: HTTPClient, configuration: AWSConfiguration, region: String? = nil, timeout: Double = 30) throws(AWSError) {
        sender = try AWSRequestSender(
            http: http, configuration: configuration, service: .cloudWatchLogs, region: region,
            retry: .none, timeout: timeout)
    }

    /// The parameters of FilterLogEvents that await-logs uses.
    public struct FilterLogEventsInput: Sendable, Hashable {
        public var logGroupName: String
        public var startTime: Int64?
        public var endTime: Int64?
        public var filterPattern: String?
        public var nextToken: String?
        public var limit: Int?

        public init(
            logGroupName: String, startTime: Int64? = nil, endTime: Int64? = nil, filterPattern: String? = nil,
            nextToken: String? = nil, limit: Int? = nil
        ) {
            self.logGroupName = logGroupName
            self.startTime = startTime
            self.endTime = endTime
            self.filterPattern = filterPattern
            self.nextToken = nextToken
            self.limit = limit
        }

        /// The request body, members in a fixed order.
        public var json: [UInt8] {
            jsonObject { w in
                w.key("logGroupName")
                w.string(logGroupName)
                if let startTime {
                    w.key("startTime")
                    w.int(Int(startTime))
                }
                if let endTime {
                    w.key("endTime")
                    w.int(Int(endTime))
                }
                if let filterPattern {
                    w.key("filterPattern")
                    w.string(filterPattern)
                }
                if let nextToken {
                    w.key("nextToken")
                    w.string(nextToken)
                }
                if let limit {
                    w.key("limit")
                    w.int(limit)
                }
            }
        }
    }

    /// One page: the raw JSON body `{"events": [...], "nextToken": ...}` (parsed by the caller).
    /// Throws `AWSError.service` (code "ThrottlingException" when over the quota) or `.transport`.
    public func filterLogEvents(_ input: FilterLogEventsInput) async throws -> [UInt8] {
        try await send("FilterLogEvents", body: input.json).body
    }

    func send(_ operation: String, body: [UInt8]) async throws -> HTTPResponse {
        try await sender.send(
            operation: operation, method: "POST", path: "/",
            headers: [
                ("Content-Type", "application/x-amz-json-1.1"),
                ("X-Amz-Target", "Logs_20140328.\(operation)"),
            ],
            body: body)
    }
}
