import JSON

/// `aws cloudwatch get-metric-data` (`MetricDataResults[].Timestamps/Values`) or
/// `get-metric-statistics` (`Datapoints[].Timestamp/Sum`) output for AWS/Lambda Invocations,
/// Sum, as the CLI prints it (JSON). CloudWatch leaves out periods without calls and lists
/// newest first (get-metric-data) or in no order (get-metric-statistics), so the datapoints
/// are read whole and sorted; an answer holds at most 100,800 of them.
enum CloudWatchTrace {
    struct Series {
        /// Seconds from the first datapoint.
        var times: [Double]
        var counts: [Int]
        /// The first datapoint's time, Unix seconds.
        var originS: Double
    }

    static func read(_ bytes: [UInt8], name: String, metricID: String?) throws -> Series {
        let root: JSONNode
        do {
            (root, _) = try JSONTree.parse(bytes, allowTrailingCommas: false)
        } catch let e as JSONSyntaxError {
            throw TraceError(file: name, line: e.line, field: e.path.isEmpty ? "trace" : e.path, problem: "not valid JSON: " + e.problem)
        }
        func fail(_ node: JSONNode, _ field: String, _ problem: String) -> TraceError {
            TraceError(file: name, line: node.line, field: field, problem: problem)
        }
        guard let top = root.members else { throw fail(root, "trace", "must be a JSON object (the CLI's output), got \(root.typeName)") }
        var points: [(time: Double, count: Int, line: Int)] = []
        func point(_ timeNode: JSONNode, _ valueNode: JSONNode, _ field: String, _ valueField: String) throws {
            let time: Double
            switch timeNode.value {
            case .string(let s):
                guard let t = TraceTime.seconds(s) else { throw fail(timeNode, field, "must be an ISO 8601 date-time, got \"\(s)\"") }
                time = t
            case .number(let d, _): time = d
            default: throw fail(timeNode, field, "must be a date-time, got \(timeNode.typeName)")
            }
            guard let v = valueNode.double else { throw fail(valueNode, valueField, "must be a number, got \(valueNode.typeName)") }
            guard v >= 0, v == v.rounded(), v < 1e15 else {
                throw fail(valueNode, valueField, "must be a count of invocations (an integer >= 0), got \(v)")
            }
            points.append((time, Int(v), timeNode.line))
        }
        if let results = top.first(where: { $0.key == "MetricDataResults" })?.node {
            guard let list = results.array else { throw fail(results, "MetricDataResults", "must be an array") }
            let chosen: [JSONNode]
            if let metricID {
                chosen = list.filter { $0.members?.first { $0.key == "Id" }?.node.string == metricID }
                guard !chosen.isEmpty else { throw fail(results, "MetricDataResults", "no result has Id \"\(metricID)\"") }
            } else {
                chosen = list
                guard list.count == 1 else {
                    throw fail(results, "MetricDataResults", "holds \(list.count) results; give trace.metric_id to choose one")
                }
            }
            let result = chosen[0]
            guard let fields = result.members else { throw fail(result, "MetricDataResults[0]", "must be an object") }
            guard let ts = fields.first(where: { $0.key == "Timestamps" })?.node, let tsList = ts.array,
                let vs = fields.first(where: { $0.key == "Values" })?.node, let vsList = vs.array
            else { throw fail(result, "MetricDataResults", "needs Timestamps and Values arrays") }
            guard tsList.count == vsList.count else {
                throw fail(vs, "Values", "has \(vsList.count) values for \(tsList.count) timestamps")
            }
            for k in tsList.indices { try point(tsList[k], vsList[k], "Timestamps[\(k)]", "Values[\(k)]") }
        } else if let datapoints = top.first(where: { $0.key == "Datapoints" })?.node {
            guard let list = datapoints.array else { throw fail(datapoints, "Datapoints", "must be an array") }
            for (k, d) in list.enumerated() {
                guard let fields = d.members else { throw fail(d, "Datapoints[\(k)]", "must be an object") }
                guard let t = fields.first(where: { $0.key == "Timestamp" })?.node else {
                    throw fail(d, "Datapoints[\(k)].Timestamp", "missing")
                }
                guard let v = fields.first(where: { $0.key == "Sum" })?.node else {
                    throw fail(d, "Datapoints[\(k)].Sum", "missing: ask for --statistics Sum")
                }
                try point(t, v, "Datapoints[\(k)].Timestamp", "Datapoints[\(k)].Sum")
            }
        } else {
            throw fail(root, "trace", "has neither MetricDataResults (get-metric-data) nor Datapoints (get-metric-statistics)")
        }
        guard !points.isEmpty else { throw fail(root, "trace", "has no datapoints") }
        points.sort { $0.time < $1.time }
        for k in points.indices.dropFirst() where points[k].time == points[k - 1].time {
            throw TraceError(file: name, line: points[k].line, field: "Timestamp", problem: "two datapoints for the same time")
        }
        let origin = points[0].time
        return Series(times: points.map { $0.time - origin }, counts: points.map(\.count), originS: origin)
    }
}
