import Records

/// FilterLogEvents over the network (AWS.LogsClient), as a page source for LogWaiter.
public enum CloudWatchSource {
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String { "the CloudWatch Logs client is not wired yet" }
    }

    public static func fetcher(plans: [FunctionPlan]) throws -> LogWaiter.FetchPage {
        throw Unavailable()
    }
}
