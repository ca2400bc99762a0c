import AWS
import CurlHTTP

/// FilterLogEvents over the network (AWS.LogsClient), as LogWaiter's page source.
public enum CloudWatchSource {
    /// A page source for the plans' log groups, one client per region (a Lambda target's region,
    /// else the environment's). Throws AWSError when credentials or the region are missing.
    public static func fetcher(
        plans: [FunctionPlan], configuration: AWSConfiguration = .resolve(),
        http: HTTPClient = HTTPClient(maxConnections: 4)
    ) throws -> LogWaiter.FetchPage {
        var clients: [String: LogsClient] = [:]
        let fallback = try LogsClient(http: http, configuration: configuration)
        for plan in plans {
            guard let region = plan.region else {
                clients[plan.logGroup] = fallback
                continue
            }
            clients[plan.logGroup] =
                region == fallback.sender.region
                ? fallback : try LogsClient(http: http, configuration: configuration, region: region)
        }
        let byGroup = clients
        return { request in
            let client = byGroup[request.logGroup] ?? fallback
            let input = LogsClient.FilterLogEventsInput(
                logGroupName: request.logGroup, startTime: request.startTimeMs, endTime: request.endTimeMs,
                filterPattern: request.filterPattern, nextToken: request.nextToken, limit: request.limit)
            let body: [UInt8]
            do {
                body = try await client.filterLogEvents(input)
            } catch let e as AWSError {
                if let code = e.code, RetryPolicy.throttlingCodes.contains(code) { throw ThrottledError() }
                // A function that has not logged yet has no log group: nothing to read so far.
                if e.code == "ResourceNotFoundException" { return FilterLogEventsPage(events: [], nextToken: nil) }
                switch e {
                case .transport: throw TransientError(e)
                case .service(_, let status, _, _, _) where status >= 500: throw TransientError(e)
                default: throw e
                }
            }
            do {
                return try FilterLogEventsPage.parse(body)
            } catch {
                throw AWSError.malformedResponse(operation: "FilterLogEvents", problem: "\(error)")
            }
        }
    }
}
