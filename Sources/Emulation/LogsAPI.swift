import Clocks
import Foundation
import JSON

/// CloudWatch Logs (JSON 1.1, `X-Amz-Target: Logs_20140328.<Operation>`).
extension Router {
    func logsAPI(target: String, _ request: HTTPRequest, requestId: String) -> HTTPReply {
        let prefix = "Logs_20140328."
        guard target.hasPrefix(prefix) else { return AWSError.logs("UnknownOperationException", nil, requestId: requestId) }
        let operation = String(target.dropFirst(prefix.count))
        let known = ["FilterLogEvents", "GetLogEvents", "DescribeLogGroups", "DescribeLogStreams"]
        guard known.contains(operation) else { return AWSError.logs("UnknownOperationException", nil, requestId: requestId) }
        guard logsLimiter.allow() else { return AWSError.logs("ThrottlingException", "Rate exceeded", requestId: requestId) }
        let body: JSONNode
        do { body = request.body.isEmpty ? .emptyObject : try JSONTree.parse(request.body) } catch {
            return AWSError.logs("SerializationException", nil, requestId: requestId)
        }
        guard case .object = body.value else { return AWSError.logs("SerializationException", nil, requestId: requestId) }
        let now = Int64(WallClock.unixMilliseconds())
        do {
            let out: [UInt8]
            switch operation {
            case "FilterLogEvents": out = try filterLogEvents(body, now: now)
            case "GetLogEvents": out = try getLogEvents(body, now: now)
            case "DescribeLogGroups": out = try describeLogGroups(body)
            default: out = try describeLogStreams(body, now: now)
            }
            return .json(200, out, contentType: "application/x-amz-json-1.1", requestId: requestId)
        } catch let e as LogsFailure {
            return AWSError.logs(e.type, e.message, requestId: requestId)
        } catch {
            return AWSError.logs("ServiceUnavailableException", "\(error)", requestId: requestId, status: 500)
        }
    }

    struct LogsFailure: Error {
        var type: String
        var message: String
        static func invalid(_ m: String) -> LogsFailure { LogsFailure(type: "InvalidParameterException", message: m) }
        static let noGroup = LogsFailure(type: "ResourceNotFoundException", message: "The specified log group does not exist.")
        static let noStream = LogsFailure(type: "ResourceNotFoundException", message: "The specified log stream does not exist.")
    }

    /// Groups of configured functions exist from the start (even before their first invocation).
    func logGroupNames() -> [String] {
        let configured = pool.allFunctions().map { "/aws/lambda/\($0.definition.name)" }
        return Array(Set(configured + logs.groups().map(\.name))).sorted()
    }

    private func group(_ body: JSONNode) throws -> String {
        guard
            let g = body["logGroupName"]?.string
                ?? body["logGroupIdentifier"]?.string.map({ id in
                    id.hasPrefix("arn:")
                        ? String(id.split(separator: ":", omittingEmptySubsequences: false).dropFirst(6).joined(separator: ":"))
                            .replacingStar() : id
                })
        else {
            throw LogsFailure.invalid(
                "1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null")
        }
        guard logGroupNames().contains(g) else { throw LogsFailure.noGroup }
        return g
    }

    private func optionalInt(_ body: JSONNode, _ key: String) throws -> Int64? {
        guard let v = body[key], !v.isNull else { return nil }
        guard let d = v.double, d == d.rounded(), abs(d) < 9e15 else {
            throw LogsFailure(type: "SerializationException", message: "\(key) must be an integer")
        }
        return Int64(d)
    }

    private func limit(_ body: JSONNode, max maxLimit: Int, default d: Int) throws -> Int {
        guard let l = try optionalInt(body, "limit") else { return d }
        guard l >= 1, l <= maxLimit else {
            throw LogsFailure.invalid(
                "1 validation error detected: Value '\(l)' at 'limit' failed to satisfy constraint: Member must have value \(l < 1 ? "greater than or equal to 1" : "less than or equal to \(maxLimit)")"
            )
        }
        return Int(l)
    }

    func filterLogEvents(_ body: JSONNode, now: Int64) throws -> [UInt8] {
        let g = try group(body)
        let pageLimit = try limit(body, max: 10_000, default: 10_000)
        let pattern = try FilterPattern(body["filterPattern"]?.string ?? "")
        let streams = body["logStreamNames"]?.array?.compactMap(\.string)
        let prefix = body["logStreamNamePrefix"]?.string
        if streams != nil && prefix != nil { throw LogsFailure.invalid("logStreamNames and logStreamNamePrefix are mutually exclusive") }
        var cursor: (Int64, Int64)? = nil
        if let token = body["nextToken"]?.string {
            guard let c = Self.decodeCursor(token, group: g) else { throw LogsFailure.invalid("The specified nextToken is invalid.") }
            cursor = c
        }
        // Pages are capped at 1 MB of messages, like the real API.
        var events = logs.filter(
            group: g, streams: streams, streamPrefix: prefix, start: try optionalInt(body, "startTime"),
            end: try optionalInt(body, "endTime"), pattern: pattern, limit: pageLimit, after: cursor, now: now)
        var full = events.count == pageLimit
        var bytes = 0
        if let cut = events.firstIndex(where: {
            bytes += $0.message.utf8.count + 26
            return bytes > 1_048_576
        }), cut > 0 {
            events = Array(events[..<cut])
            full = true
        }
        return jsonObject { w in
            w.key("events")
            w.beginArray()
            for e in events {
                w.beginObject()
                w.key("logStreamName")
                w.string(e.stream)
                w.key("timestamp")
                w.int(Int(e.timestamp))
                w.key("message")
                w.string(e.message)
                w.key("ingestionTime")
                w.int(Int(e.ingestion))
                w.key("eventId")
                w.string(e.eventId)
                w.endObject()
            }
            w.endArray()
            w.key("searchedLogStreams")
            w.beginArray()
            w.endArray()
            if full, let last = events.last {
                w.key("nextToken")
                w.string(Self.encodeCursor(last.timestamp, last.id, group: g))
            }
        }
    }

    static func encodeCursor(_ ts: Int64, _ id: Int64, group: String) -> String {
        Data("v1|\(ts)|\(id)|\(group)".utf8).base64EncodedString()
    }

    static func decodeCursor(_ token: String, group: String) -> (Int64, Int64)? {
        guard let bytes = Data(base64Encoded: token) else { return nil }
        let parts = String(decoding: bytes, as: UTF8.self).split(separator: "|", maxSplits: 3).map(String.init)
        guard parts.count == 4, parts[0] == "v1", parts[3] == group, let ts = Int64(parts[1]), let id = Int64(parts[2]) else { return nil }
        return (ts, id)
    }

    func getLogEvents(_ body: JSONNode, now: Int64) throws -> [UInt8] {
        let g = try group(body)
        guard let stream = body["logStreamName"]?.string else {
            throw LogsFailure.invalid(
                "1 validation error detected: Value null at 'logStreamName' failed to satisfy constraint: Member must not be null")
        }
        guard logs.streamExists(group: g, stream: stream) else { throw LogsFailure.noStream }
        let pageLimit = try limit(body, max: 10_000, default: 10_000)
        var fromHead = body["startFromHead"]?.bool ?? false
        var afterId: Int64? = nil
        var beforeId: Int64? = nil
        if let token = body["nextToken"]?.string {
            // Event ids are SQLite row ids (from 1): a token past them cannot be one of ours, and
            // Int64.max or .min overflowed the next tokens' arithmetic below.
            guard token.count > 2, let n = Int64(token.dropFirst(2)), n >= 0, n < Int64.max, token.hasPrefix("f/") || token.hasPrefix("b/")
            else {
                throw LogsFailure.invalid("The specified nextToken is invalid.")
            }
            if token.hasPrefix("f/") {
                afterId = n
                fromHead = true
            } else {
                beforeId = n
                fromHead = false
            }
        }
        let events = logs.streamEvents(
            group: g, stream: stream, start: try optionalInt(body, "startTime"), end: try optionalInt(body, "endTime"),
            limit: pageLimit, fromHead: fromHead, afterId: afterId, beforeId: beforeId, now: now)
        let lastId = events.last?.id ?? afterId ?? beforeId.map { $0 - 1 } ?? 0
        let firstId = events.first?.id ?? beforeId ?? afterId.map { $0 + 1 } ?? 0
        func token(_ p: String, _ n: Int64) -> String { p + String(repeating: "0", count: max(0, 20 - String(n).count)) + String(n) }
        return jsonObject { w in
            w.key("events")
            w.beginArray()
            for e in events {
                w.beginObject()
                w.key("timestamp")
                w.int(Int(e.timestamp))
                w.key("message")
                w.string(e.message)
                w.key("ingestionTime")
                w.int(Int(e.ingestion))
                w.endObject()
            }
            w.endArray()
            w.key("nextForwardToken")
            w.string(token("f/", lastId))
            w.key("nextBackwardToken")
            w.string(token("b/", firstId))
        }
    }

    func describeLogGroups(_ body: JSONNode) throws -> [UInt8] {
        let pageLimit = try limit(body, max: 50, default: 50)
        let prefix = body["logGroupNamePrefix"]?.string ?? ""
        let names = logGroupNames().filter { $0.hasPrefix(prefix) }
        let offset = try pageOffset(body)
        let page = names.dropFirst(offset).prefix(pageLimit)
        let created = Dictionary(logs.groups().map { ($0.name, $0.creation) }, uniquingKeysWith: { a, _ in a })
        return jsonObject { w in
            w.key("logGroups")
            w.beginArray()
            for name in page {
                w.beginObject()
                w.key("logGroupName")
                w.string(name)
                w.key("creationTime")
                w.int(Int(created[name] ?? 0))
                w.key("metricFilterCount")
                w.int(0)
                w.key("arn")
                w.string("arn:aws:logs:\(options.region):\(EmulatorOptions.accountId):log-group:\(name):*")
                w.key("storedBytes")
                w.int(0)
                w.key("logGroupClass")
                w.string("STANDARD")
                w.endObject()
            }
            w.endArray()
            if offset + page.count < names.count {
                w.key("nextToken")
                w.string(Data("o|\(offset + page.count)".utf8).base64EncodedString())
            }
        }
    }

    private func pageOffset(_ body: JSONNode) throws -> Int {
        guard let token = body["nextToken"]?.string else { return 0 }
        guard let bytes = Data(base64Encoded: token), case let s = String(decoding: bytes, as: UTF8.self), s.hasPrefix("o|"),
            let n = Int(s.dropFirst(2)), n >= 0
        else { throw LogsFailure.invalid("The specified nextToken is invalid.") }
        return n
    }

    func describeLogStreams(_ body: JSONNode, now: Int64) throws -> [UInt8] {
        let g = try group(body)
        let pageLimit = try limit(body, max: 50, default: 50)
        let prefix = body["logStreamNamePrefix"]?.string
        let orderBy = body["orderBy"]?.string ?? "LogStreamName"
        guard orderBy == "LogStreamName" || orderBy == "LastEventTime" else {
            throw LogsFailure.invalid(
                "1 validation error detected: Value '\(orderBy)' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]"
            )
        }
        if orderBy == "LastEventTime" && prefix != nil {
            throw LogsFailure.invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
        }
        var streams = logs.streams(group: g, prefix: prefix, now: now)
        if orderBy == "LastEventTime" { streams.sort { ($0.lastEvent ?? $0.creation, $0.name) < ($1.lastEvent ?? $1.creation, $1.name) } }
        if body["descending"]?.bool == true { streams.reverse() }
        let offset = try pageOffset(body)
        let page = streams.dropFirst(offset).prefix(pageLimit)
        return jsonObject { w in
            w.key("logStreams")
            w.beginArray()
            for s in page {
                w.beginObject()
                w.key("logStreamName")
                w.string(s.name)
                w.key("creationTime")
                w.int(Int(s.creation))
                if let v = s.firstEvent {
                    w.key("firstEventTimestamp")
                    w.int(Int(v))
                }
                if let v = s.lastEvent {
                    w.key("lastEventTimestamp")
                    w.int(Int(v))
                }
                if let v = s.lastIngestion {
                    w.key("lastIngestionTime")
                    w.int(Int(v))
                }
                w.key("arn")
                w.string("arn:aws:logs:\(options.region):\(EmulatorOptions.accountId):log-group:\(g):log-stream:\(s.name)")
                w.key("storedBytes")
                w.int(0)
                w.endObject()
            }
            w.endArray()
            if offset + page.count < streams.count {
                w.key("nextToken")
                w.string(Data("o|\(offset + page.count)".utf8).base64EncodedString())
            }
        }
    }
}

extension String {
    /// `log-group:NAME:*` from an ARN tail: drop the `log-group:` prefix and `:*` suffix.
    fileprivate func replacingStar() -> String {
        var s = Substring(self)
        if s.hasPrefix("log-group:") { s = s.dropFirst("log-group:".count) }
        if s.hasSuffix(":*") { s = s.dropLast(2) }
        return String(s)
    }
}
