import Foundation
import RecordSchema
import ToolSupport

/// Which part of a schedule this process sends, and the clock every shard of the run keeps.
///
/// Split: shard I of N sends the calls with `seq % N == I` (plan numbers calls in time order,
/// so each shard gets an even share of every instance and every second). Timing: every
/// shard computes the same phase times from the schedule and the common start S
/// (`--start-at`): phase 0's memory change at S and its calls from S + settle; phase p + 1's
/// change at (phase p's start + its last call's at_s + drain), its calls a settle time later.
/// Shard 0 alone changes the configuration; every shard waits until
/// GetFunctionConfiguration shows the phase's size before its first call of the phase (a
/// late change makes its calls late, which their lag records). Calls that still run at the
/// old size anyway show up in the REPORT lines, which fit counts as memory mismatches.
public struct ShardPlan: Sendable, Equatable {
    public var index: Int
    public var count: Int
    /// The common start S, Unix ms.
    public var startAtUnixMs: Double
    /// Seconds from a phase's memory change to its first call.
    public var settleS: Double
    /// Seconds from a phase's last scheduled call to the next phase's memory change.
    public var drainS: Double

    public static let defaultSettleS = 10.0
    public static let defaultDrainS = 10.0

    public init(index: Int, count: Int, startAtUnixMs: Double, settleS: Double = defaultSettleS, drainS: Double = defaultDrainS) {
        self.index = index
        self.count = count
        self.startAtUnixMs = startAtUnixMs
        self.settleS = settleS
        self.drainS = drainS
    }

    public func owns(_ call: ScheduledCall) -> Bool { call.seq % count == index }

    /// One phase's fixed times, the same in every shard.
    public struct PhaseTimes: Sendable, Equatable {
        public var phase: Int
        public var memoryMB: Int
        /// When shard 0 changes the memory size (and every shard starts waiting for it), Unix ms.
        public var changeAtUnixMs: Double
        /// at_s = 0 of the phase, Unix ms.
        public var startUnixMs: Double
    }

    /// The phase times of `schedule` (the whole schedule, not one shard's part).
    public func timeline(_ schedule: LoadedSchedule, setMemory: Bool) -> [PhaseTimes] {
        let settle = setMemory ? settleS * 1000 : 0
        var change = startAtUnixMs
        var out: [PhaseTimes] = []
        for phase in schedule.phases {
            let start = change + settle
            out.append(PhaseTimes(phase: phase.index, memoryMB: phase.memoryMB, changeAtUnixMs: change, startUnixMs: start))
            let lastAt = phase.callIndices.map { schedule.calls[$0].atS }.max() ?? 0
            change = start + lastAt * 1000 + drainS * 1000
        }
        return out
    }

    /// "I/N" (0-based I).
    public static func parse(shard text: String) throws -> (index: Int, count: Int) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (0..<n).contains(i) else {
            throw InputError(file: "--shard", problem: "\"\(text)\": expected I/N with 0 <= I < N (e.g. 0/4)")
        }
        return (i, n)
    }

    /// The shard from the job engine's own variables: Kubernetes Indexed Jobs set
    /// JOB_COMPLETION_INDEX (the count comes from --shard-count); AWS Batch array jobs set
    /// AWS_BATCH_JOB_ARRAY_INDEX and AWS_BATCH_JOB_ARRAY_SIZE.
    public static func fromEnvironment(_ environment: [String: String], count: Int?) throws -> (index: Int, count: Int)? {
        if let text = environment["JOB_COMPLETION_INDEX"], !text.isEmpty {
            guard let count else {
                throw InputError(file: "JOB_COMPLETION_INDEX", problem: "set: give the number of shards with --shard-count N")
            }
            return try parse(shard: "\(text)/\(count)")
        }
        if let text = environment["AWS_BATCH_JOB_ARRAY_INDEX"], !text.isEmpty {
            guard let size = environment["AWS_BATCH_JOB_ARRAY_SIZE"] ?? count.map(String.init) else {
                throw InputError(file: "AWS_BATCH_JOB_ARRAY_INDEX", problem: "set without AWS_BATCH_JOB_ARRAY_SIZE or --shard-count")
            }
            return try parse(shard: "\(text)/\(size)")
        }
        if count != nil {
            throw InputError(file: "--shard-count", problem: "given without --shard, JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX")
        }
        return nil
    }

    /// `--start-at`: Unix milliseconds, or an RFC 3339 time (2026-12-01T23:00:00Z, fractions and offsets allowed).
    public static func parse(startAt text: String) throws -> Double {
        if let ms = Double(text), ms.isFinite, ms > 0 { return ms }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return (date.timeIntervalSince1970 * 1000).rounded() }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return (date.timeIntervalSince1970 * 1000).rounded() }
        throw InputError(
            file: "--start-at", problem: "\"\(text)\": expected Unix milliseconds or an RFC 3339 time such as 2026-12-01T23:00:00Z")
    }
}

extension LoadedSchedule {
    /// The calls one shard sends (with their lines), the header unchanged.
    public func part(_ plan: ShardPlan) -> LoadedSchedule {
        var calls: [ScheduledCall] = []
        var lines: [Int] = []
        for (k, call) in self.calls.enumerated() where plan.owns(call) {
            calls.append(call)
            if self.lines.indices.contains(k) { lines.append(self.lines[k]) }
        }
        return LoadedSchedule(header: header, calls: calls, name: name, lines: lines)
    }
}
