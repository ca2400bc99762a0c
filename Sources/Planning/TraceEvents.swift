import NDJSONIO

/// The readings of a trace in time order, one at a time; a pass over the file is the same
/// code whether it validates (at load) or replays (once for the count, once per phase).
protocol TraceEvents: AnyObject {
    func next() throws -> TraceEvent?
}

extension Trace {
    /// A fresh pass over the trace's readings, times in seconds from its origin.
    func events() throws -> TraceEvents {
        switch content {
        case .counts(let times, let counts): return StoredEvents(times: times, counts: counts)
        case .timestamps(let times): return StoredEvents(times: times, counts: nil)
        case .azureRow(let path, let offset, let line):
            let lines = TraceLines(file: try MappedFile(path: path), name: path, offset: offset, line: line)
            return try AzureMinuteRow(lines: lines, minutes: Int.max)
        case .csvRows(let path, let offset, let line, let origin):
            let lines = TraceLines(file: try MappedFile(path: path), name: path, offset: offset, line: line)
            return CSVTraceRows(lines: lines, originS: origin, columns: periodS == nil ? 1 : 2)
        }
    }
}

/// Readings held in memory (CloudWatch answers, the sorted arrivals of an Azure 2021 function).
final class StoredEvents: TraceEvents {
    let times: [Double]
    let counts: [Int]?
    var index = 0

    init(times: [Double], counts: [Int]?) {
        self.times = times
        self.counts = counts
    }

    func next() -> TraceEvent? {
        guard index < times.count else { return nil }
        defer { index += 1 }
        return TraceEvent(timeS: times[index], count: counts?[index] ?? 1)
    }
}
