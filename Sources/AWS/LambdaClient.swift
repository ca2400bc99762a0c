import CurlHTTP
import Foundation

/// The part of a function's configuration that invoke reads.
public struct FunctionConfiguration: Sendable, Equatable {
    public var functionName: String
    public var memorySize: Int
    /// Successful, InProgress or Failed (nil on very old functions: treated as Successful).
    public var lastUpdateStatus: String?
    public var lastUpdateStatusReason: String?
    /// Pending, Active, Inactive or Failed.
    public var state: String?
    public var timeout: Int?
    public var description: String?

    public init(
        functionName: String, memorySize: Int, lastUpdateStatus: String?, lastUpdateStatusReason: String? = nil,
        state: String? = nil, timeout: Int? = nil, description: String? = nil
    ) {
        self.functionName = functionName
        self.memorySize = memorySize
        self.lastUpdateStatus = lastUpdateStatus
        self.lastUpdateStatusReason = lastUpdateStatusReason
        self.state = state
        self.timeout = timeout
        self.description = description
    }
}

/// Lambda's Invoke, GetFunctionConfiguration and UpdateFunctionConfiguration (REST, 2015-03-31).
public struct LambdaClient: Sendable {
    public let sender: AWSRequestSender

    public init(sender: AWSRequestSender) { self.sender = sender }

    public init(http: HTTPClient, configuration: AWSConfiguration, region: String? = nil) throws(AWSError) {
        sender = try AWSRequestSender(http: http, configuration: configuration, service: .lambda, region: region)
    }

    /// A function name or ARN as one path segment (':' of ARNs percent-encoded, as the SDKs send it).
    public static func pathSegment(_ name: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.~")
        return name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name
    }

    static func queryValue(_ value: String) -> String { pathSegment(value) }

    /// The signed Invoke request, for callers that schedule the send themselves (no retries).
    /// `invocationType`: RequestResponse, Event or DryRun. The payload is sent as given.
    public func invokeRequest(
        function: String, payload: [UInt8], invocationType: String = "RequestResponse",
        qualifier: String? = nil, logType: String? = nil, date: Date = Date(),
        timeout: Double? = nil
    ) -> HTTPRequest {
        var headers: [(name: String, value: String)] = [
            ("X-Amz-Invocation-Type", invocationType),
            ("Content-Type", "application/json"),
        ]
        if let logType { headers.append(("X-Amz-Log-Type", logType)) }
        return sender.signedRequest(
            method: "POST", path: "/2015-03-31/functions/\(Self.pathSegment(function))/invocations",
            query: qualifier.map { "Qualifier=\(Self.queryValue($0))" } ?? "",
            headers: headers, body: payload, date: date, timeout: timeout)
    }

    /// One Invoke, not retried (a throttle is an outcome, not a failure). Transport failures throw.
    public func invoke(
        function: String, payload: [UInt8], invocationType: String = "RequestResponse",
        qualifier: String? = nil
    ) async throws(AWSError) -> HTTPResponse {
        let outcome = await sender.http.send(
            invokeRequest(
                function: function, payload: payload,
                invocationType: invocationType, qualifier: qualifier))
        switch outcome.result {
        case .success(let response): return response
        case .failure(let error): throw .transport(operation: "Invoke \(function)", message: error.message)
        }
    }

    public func getFunctionConfiguration(
        _ function: String, qualifier: String? = nil, deadline: Date? = nil
    ) async throws -> FunctionConfiguration {
        let response = try await sender.send(
            operation: "GetFunctionConfiguration \(function)", method: "GET",
            path: "/2015-03-31/functions/\(Self.pathSegment(function))/configuration",
            query: qualifier.map { "Qualifier=\(Self.queryValue($0))" } ?? "", deadline: deadline)
        return try Self.decodeConfiguration(response, operation: "GetFunctionConfiguration")
    }

    public func updateFunctionConfiguration(
        _ function: String, memorySize: Int, deadline: Date? = nil
    ) async throws -> FunctionConfiguration {
        try await updateFunctionConfiguration(function, body: Array(#"{"MemorySize":\#(memorySize)}"#.utf8), deadline: deadline)
    }

    /// UpdateFunctionConfiguration with a JSON body of the fields to change.
    func updateFunctionConfiguration(_ function: String, body: [UInt8], deadline: Date?) async throws -> FunctionConfiguration {
        let response = try await sender.send(
            operation: "UpdateFunctionConfiguration \(function)", method: "PUT",
            path: "/2015-03-31/functions/\(Self.pathSegment(function))/configuration",
            headers: [("Content-Type", "application/json")], body: body, deadline: deadline)
        return try Self.decodeConfiguration(response, operation: "UpdateFunctionConfiguration")
    }

    /// Sets the function's Description and waits until the change is live, within `timeout`
    /// seconds. Any configuration change makes Lambda retire the function's warm environments,
    /// so the next call is a cold start: what invoke's `cold` calls rely on (as Power Tuning's
    /// onlyColdStarts does), with the description as the least intrusive field to change.
    @discardableResult
    public func setDescription(
        _ function: String, to text: String, pollInterval: Double = 0.25, timeout: Double = 300
    ) async throws -> FunctionConfiguration {
        let body = try JSONSerialization.data(withJSONObject: ["Description": text])
        return try await change(function, body: Array(body), pollInterval: pollInterval, timeout: timeout) { _ in true }
    }

    /// Polls GetFunctionConfiguration until LastUpdateStatus is Successful, as the SDKs'
    /// function_updated waiter does but every `pollInterval` s instead of 5 s; Failed or
    /// `timeout` seconds without success throw.
    public func waitUntilUpdated(
        _ function: String, pollInterval: Double = 0.25,
        timeout: Double = 300
    ) async throws -> FunctionConfiguration {
        let wait = Wait(function: function, timeout: timeout)
        return try await wait.bounding { try await waitUntilUpdated(function, pollInterval: pollInterval, wait: wait) }
    }

    private func waitUntilUpdated(_ function: String, pollInterval: Double, wait: Wait) async throws -> FunctionConfiguration {
        while true {
            let config = try await getFunctionConfiguration(function, deadline: wait.deadline)
            switch config.lastUpdateStatus ?? "Successful" {
            case "Successful": return config
            case "Failed": throw AWSError.updateFailed(function: function, reason: config.lastUpdateStatusReason ?? "no reason given")
            default:
                try await wait.pause(pollInterval, lastStatus: config.lastUpdateStatus ?? "?")
            }
        }
    }

    /// Waits until another process's change to `memorySize` is live (a sharded run's other
    /// shards wait for shard 0's): polls until the configuration shows that size with its
    /// update finished; `timeout` seconds without it throw.
    public func waitForMemorySize(
        _ function: String, _ memorySize: Int, pollInterval: Double = 0.25, timeout: Double = 300
    ) async throws {
        let wait = Wait(function: function, timeout: timeout)
        try await wait.bounding {
            while true {
                let config = try await getFunctionConfiguration(function, deadline: wait.deadline)
                let status = config.lastUpdateStatus ?? "Successful"
                if config.memorySize == memorySize && status == "Successful" { return }
                try await wait.pause(pollInterval, lastStatus: "\(status) at \(config.memorySize) MB, waiting for \(memorySize) MB")
            }
        }
    }

    /// Sets the memory size and waits until the change is live, all within `timeout`
    /// seconds (every call included). Skips the update when the function already has that
    /// size; waits out an update already in progress first (UpdateFunctionConfiguration
    /// would answer 409 ResourceConflictException).
    @discardableResult
    public func setMemorySize(
        _ function: String, to memorySize: Int, pollInterval: Double = 0.25,
        timeout: Double = 300
    ) async throws -> FunctionConfiguration {
        let current = try await change(
            function, body: Array(#"{"MemorySize":\#(memorySize)}"#.utf8), pollInterval: pollInterval, timeout: timeout
        ) { $0.memorySize != memorySize }
        guard current.memorySize == memorySize else {
            throw AWSError.malformedResponse(
                operation: "UpdateFunctionConfiguration \(function)",
                problem: "MemorySize is \(current.memorySize) after setting \(memorySize)")
        }
        return current
    }

    /// One configuration change, all within `timeout` seconds: waits out an update already in
    /// progress (UpdateFunctionConfiguration would answer 409 ResourceConflictException),
    /// sends `body` when `needed` says the live configuration lacks it, and waits until it is live.
    func change(
        _ function: String, body: [UInt8], pollInterval: Double, timeout: Double,
        needed: @Sendable (FunctionConfiguration) -> Bool
    ) async throws -> FunctionConfiguration {
        let wait = Wait(function: function, timeout: timeout)
        return try await wait.bounding {
            let current = try await waitUntilUpdated(function, pollInterval: pollInterval, wait: wait)
            if !needed(current) { return current }
            for attempt in 1...5 {
                do {
                    _ = try await updateFunctionConfiguration(function, body: body, deadline: wait.deadline)
                    break
                } catch let error as AWSError where error.code == "ResourceConflictException" && attempt < 5 {
                    _ = try await waitUntilUpdated(function, pollInterval: pollInterval, wait: wait)
                }
            }
            return try await waitUntilUpdated(function, pollInterval: pollInterval, wait: wait)
        }
    }

    /// One bounded wait for a configuration change: a deadline every call and pause keeps,
    /// and the one error for running out of time, whatever was being waited for.
    struct Wait: Sendable {
        let function: String
        let timeout: Double
        let deadline: Date

        init(function: String, timeout: Double) {
            self.function = function
            self.timeout = timeout
            deadline = Date().addingTimeInterval(timeout)
        }

        func pause(_ seconds: Double, lastStatus: String) async throws {
            guard Date().addingTimeInterval(seconds) < deadline else {
                throw AWSError.waitTimedOut(function: function, seconds: timeout, lastStatus: lastStatus)
            }
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        }

        /// Runs `body`; a call that failed because the deadline came is reported as the timeout.
        func bounding<T>(_ body: () async throws -> T) async throws -> T {
            do {
                return try await body()
            } catch let error as AWSError {
                if case .transport(let operation, let message) = error, Date() >= deadline.addingTimeInterval(-0.05) {
                    throw AWSError.waitUnanswered(function: function, seconds: timeout, call: "\(operation): \(message)")
                }
                throw error
            }
        }
    }

    static func decodeConfiguration(_ response: HTTPResponse, operation: String) throws -> FunctionConfiguration {
        guard let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] else {
            throw AWSError.malformedResponse(operation: operation, problem: "body is not a JSON object")
        }
        guard let name = json["FunctionName"] as? String, let memory = (json["MemorySize"] as? NSNumber)?.intValue else {
            throw AWSError.malformedResponse(operation: operation, problem: "FunctionName or MemorySize missing")
        }
        return FunctionConfiguration(
            functionName: name, memorySize: memory,
            lastUpdateStatus: json["LastUpdateStatus"] as? String,
            lastUpdateStatusReason: json["LastUpdateStatusReason"] as? String,
            state: json["State"] as? String, timeout: (json["Timeout"] as? NSNumber)?.intValue,
            description: json["Description"] as? String)
    }
}
