import AWS
import CurlHTTP
import Foundation
import History

/// Reads each function's current memory and sets the planned sizes through the Lambda API,
/// waiting until each update is live.
public struct Applier {
    let configuration: AWSConfiguration
    let http: HTTPClient
    public var pollInterval = 0.25
    public var timeout = 300.0

    public init(configuration: AWSConfiguration, http: HTTPClient) {
        self.configuration = configuration
        self.http = http
    }

    func client(_ region: String?) throws -> LambdaClient {
        try LambdaClient(http: http, configuration: configuration, region: region)
    }

    /// The plan with every function's current memory size filled in ($LATEST's: the one apply sets).
    public func readCurrent(_ plan: [PlannedChange]) async throws -> [PlannedChange] {
        var out = plan
        for i in out.indices where out[i].refusal == nil {
            let c = try client(out[i].target.region)
            out[i].currentMemoryMB = try await c.getFunctionConfiguration(out[i].target.lambdaFunction).memorySize
        }
        return out
    }

    /// Sets every size that changes (one function after the other) and returns what was done.
    public func apply(_ plan: [PlannedChange], runID: Int64?) async throws -> [HistoryStore.AppliedChange] {
        var done: [HistoryStore.AppliedChange] = []
        for c in plan where c.refusal == nil {
            let changes = c.changes
            if changes {
                try await client(c.target.region).setMemorySize(
                    c.target.lambdaFunction, to: c.toMemoryMB, pollInterval: pollInterval, timeout: timeout)
            }
            done.append(
                HistoryStore.AppliedChange(
                    runID: runID, function: c.function, lambdaFunction: c.target.lambdaFunction, region: c.target.region,
                    rule: c.rule, fromMemoryMB: c.currentMemoryMB, toMemoryMB: c.toMemoryMB,
                    appliedUnixMs: Date().timeIntervalSince1970 * 1000, outcome: changes ? "applied" : "unchanged"))
        }
        return done
    }
}
