import NDJSONIO
import RecordSchema
import ToolSupport

/// A schedule file read whole and checked before anything is sent.
public struct LoadedSchedule: Sendable {
    /// The latest a call may be due within its phase: 31 days (a month-long trace replay
    /// fits; a typo like 1e12 s does not wait forever).
    public static let maxAtS = 31.0 * 86_400

    public var header: RunHeader
    /// The calls in file order.
    public var calls: [ScheduledCall]
    /// The file's name in messages, and each call's line in it (empty when not read from a file).
    public var name: String
    public var lines: [Int]

    public init(header: RunHeader, calls: [ScheduledCall], name: String = "schedule", lines: [Int] = []) {
        self.header = header
        self.calls = calls
        self.name = name
        self.lines = lines
    }

    /// Reads `path` (nil or "-" = stdin). Every problem is an `InputError` naming file, line and field.
    public static func read(path: String?) throws -> LoadedSchedule {
        let reader = try NDJSONReader(path: path)
        let name = reader.name
        var header: RunHeader?
        var calls: [ScheduledCall] = []
        var phaseMemory: [Int: (memory: Int, line: Int)] = [:]
        var seqLines: [Int: Int] = [:]
        var lines: [Int] = []
        try reader.forEachRecord { line, record in
            switch record {
            case .run(let h) where header == nil && calls.isEmpty:
                header = h
            case .schedule(let call):
                guard header != nil else {
                    throw InputError(
                        file: name, line: line, field: "record",
                        problem: "the first line must be the run header (a schedule written by plan)")
                }
                if let seen = phaseMemory[call.phase], seen.memory != call.memoryMB {
                    throw InputError(
                        file: name, line: line, field: "memory_mb",
                        problem: "phase \(call.phase) is \(seen.memory) MB on line \(seen.line), \(call.memoryMB) MB here")
                }
                phaseMemory[call.phase] = phaseMemory[call.phase] ?? (call.memoryMB, line)
                guard call.atS <= maxAtS else {
                    throw InputError(
                        file: name, line: line, field: "at_s",
                        problem: "\(call.atS) s is beyond the longest phase invoke runs (31 days, \(Int(maxAtS)) s)")
                }
                if let first = seqLines[call.seq] {
                    throw InputError(file: name, line: line, field: "seq", problem: "\(call.seq) repeats line \(first)")
                }
                seqLines[call.seq] = line
                calls.append(call)
                lines.append(line)
            default:
                let problem =
                    header == nil
                    ? "the first line must be the run header (a schedule written by plan), not a \(record.kind) record"
                    : "expected a schedule record, found a \(record.kind) record"
                throw InputError(file: name, line: line, field: "record", problem: problem)
            }
        }
        guard let header else {
            throw InputError(file: name, problem: "empty: expected a run header and schedule lines (a schedule written by plan)")
        }
        // A cut or edited schedule would be reported against a plan it no longer is.
        guard header.scheduled == calls.count else {
            throw InputError(
                file: name, line: 1, field: "scheduled",
                problem: "the run header says \(header.scheduled) calls, the file has \(calls.count) "
                    + "(edited or cut short?): re-run plan, or set \"scheduled\" to \(calls.count)")
        }
        return LoadedSchedule(header: header, calls: calls, name: name, lines: lines)
    }

    /// Phases in order, each with its calls in send order (at_s, then seq).
    public var phases: [Phase] {
        var byPhase: [Int: [Int]] = [:]
        for (k, call) in calls.enumerated() { byPhase[call.phase, default: []].append(k) }
        return byPhase.keys.sorted().map { phase in
            let indices = byPhase[phase]!.sorted {
                calls[$0].atS != calls[$1].atS ? calls[$0].atS < calls[$1].atS : calls[$0].seq < calls[$1].seq
            }
            return Phase(index: phase, memoryMB: calls[indices[0]].memoryMB, callIndices: indices)
        }
    }

    public struct Phase: Sendable {
        public var index: Int
        public var memoryMB: Int
        /// Indices into `calls`, in send order.
        public var callIndices: [Int]
    }
}
