import Foundation
import Invoking
import RecordSchema
import TestSupport
import Testing
import ToolSupport

/// `invoke --shard I/N` and `merge-shards`: the split, the common phase times, and a merge
/// that accounts for every call once.
@Suite(.serialized)
struct ShardTests {
    @Test func shardArgumentsAndEngineVariables() throws {
        #expect(try ShardPlan.parse(shard: "1/4") == (1, 4))
        for bad in ["4/4", "-1/2", "1", "a/b", "0/0"] { #expect(throws: InputError.self) { try ShardPlan.parse(shard: bad) } }
        #expect(try ShardPlan.fromEnvironment(["JOB_COMPLETION_INDEX": "2"], count: 3)! == (2, 3))
        #expect(throws: InputError.self) { try ShardPlan.fromEnvironment(["JOB_COMPLETION_INDEX": "2"], count: nil) }
        #expect(try ShardPlan.fromEnvironment(["AWS_BATCH_JOB_ARRAY_INDEX": "1", "AWS_BATCH_JOB_ARRAY_SIZE": "5"], count: nil)! == (1, 5))
        #expect(try ShardPlan.fromEnvironment([:], count: nil) == nil)
        #expect(try ShardPlan.parse(startAt: "1764630000000") == 1_764_630_000_000)
        #expect(try ShardPlan.parse(startAt: "2025-12-01T23:00:00Z") == 1_764_630_000_000)
        #expect(try ShardPlan.parse(startAt: "2025-12-01T23:00:00.250Z") == 1_764_630_000_250)
        #expect(throws: InputError.self) { try ShardPlan.parse(startAt: "tomorrow") }
    }

    /// Every shard computes the same phase times from the whole schedule.
    @Test func phaseTimesComeFromTheWholeSchedule() throws {
        let calls = try (0..<6).map { k in
            try ScheduleFile.call(
                seq: k, phase: k / 3, memory: k < 3 ? 128 : 256, at: Double(k % 3) * 2, target: ScheduleFile.lambda, payload: "{}")
        }
        let schedule = LoadedSchedule(header: ScheduleFile.header(memorySizes: [128, 256], scheduled: 6), calls: calls)
        let plan = ShardPlan(index: 1, count: 2, startAtUnixMs: 1000, settleS: 10, drainS: 5)
        let times = plan.timeline(schedule, setMemory: true)
        // Phase 0: change at S, calls from S + 10 s; its last call at 4 s, then 5 s of drain.
        let changes: [Double] = [1000, 20_000]
        let starts: [Double] = [11_000, 30_000]
        #expect(times.map(\.changeAtUnixMs) == changes)
        #expect(times.map(\.startUnixMs) == starts)
        #expect(schedule.part(plan).calls.map(\.seq) == [1, 3, 5])
        #expect(plan.timeline(schedule.part(plan), setMemory: true) != times, "a part alone would give other times")
    }

    func environment(_ emulator: LocalEmulator, home: String) -> [String: String] {
        emulator.environment.merging(["HOME": home, "AWS_PROFILE": "", "AWS_SESSION_TOKEN": ""]) { $1 }
    }

    /// Three shards at a common start, two memory phases, merged: the same calls as the
    /// schedule, each once, in seq order; the phase times shared; a missing or duplicated
    /// shard named; --allow-missing records a missing shard's calls as not_sent.
    @Test func threeShardsMergeIntoOneRun() async throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let dir = try TemporaryDirectory("shards")
        defer { dir.remove() }
        var calls: [ScheduledCall] = []
        for (phase, memory) in [128, 256].enumerated() {
            for k in 0..<12 {
                calls.append(
                    try ScheduleFile.call(
                        seq: calls.count, phase: phase, memory: memory, at: Double(k) * 0.05, target: ScheduleFile.lambda,
                        payload: #"{"cmds":{"sleep":5}}"#))
            }
        }
        try dir.write("schedule.ndjson", ScheduleFile.text(memorySizes: [128, 256], calls))
        let env = environment(emulator, home: dir.path)

        let refused = try Tools.run(
            "invoke", [dir.file("schedule.ndjson"), "--shard", "0/3", "-o", dir.file("x.ndjson")], environment: env)
        #expect(refused.status == 2 && refused.stderr.contains("needs --start-at"), "\(refused.stderr)")
        #expect(!dir.exists("x.ndjson"))

        // Late starts (a slow machine) are allowed: the calls then carry their lag.
        let start = String(Int(Date().timeIntervalSince1970 * 1000) + 3000)
        let results = ResultsBox()
        let group = DispatchGroup()
        for index in 0..<3 {
            group.enter()
            DispatchQueue.global().async {
                let r = try? Tools.run(
                    "invoke",
                    [
                        dir.file("schedule.ndjson"), "--shard", "\(index)/3", "--start-at", start, "--phase-settle", "1",
                        "--phase-drain", "1", "-q", "-o", dir.file("shard\(index).ndjson"),
                    ], environment: env)
                results.set(index, r)
                group.leave()
            }
        }
        group.wait()
        for index in 0..<3 {
            let r = try #require(results.get(index))
            #expect(r.status == 0, "shard \(index): \(r.stderr)")
        }
        let files = (0..<3).map { dir.file("shard\($0).ndjson") }
        let merge = try Tools.run("merge-shards", files.reversed() + ["-o", dir.file("merged.ndjson")])
        #expect(merge.status == 0, "\(merge.stderr)")
        #expect(merge.stderr.contains("merged: 24 calls, 24 sent"), "\(merge.stderr)")
        let out = try InvocationsOutput(path: dir.file("merged.ndjson"))
        #expect(out.kinds == ["run"] + Array(repeating: "invocation", count: 24) + ["invoke_summary"])
        #expect(out.invocations.map(\.call) == calls)
        #expect(out.invocations.allSatisfy { $0.httpStatus == 200 })
        #expect(out.summary?.scheduled == 24 && out.summary?.sent == 24)
        #expect(out.summary?.shards.map(\.index) == [0, 1, 2])
        #expect(out.header?.tools.last?.hasPrefix("merge-shards") == true)
        for phase in 0..<2 {
            #expect(Set(out.invocations.filter { $0.call.phase == phase }.map(\.phaseStartUnixMs)).count == 1, "one start per phase")
        }

        let missing = try Tools.run("merge-shards", [files[0], files[1], "-o", dir.file("partial.ndjson")])
        #expect(missing.status == 2 && missing.stderr.contains("merge-shards: shard 2/3: missing (8 calls"), "\(missing.stderr)")
        #expect(!dir.exists("partial.ndjson"))
        let twice = try Tools.run("merge-shards", [files[0], files[0], files[1], "-o", dir.file("partial.ndjson")])
        #expect(twice.status == 2 && twice.stderr.contains("shard 0/3 is also"), "\(twice.stderr)")
        let filled = try Tools.run(
            "merge-shards",
            [files[0], files[2], "--schedule", dir.file("schedule.ndjson"), "--allow-missing", "-o", dir.file("partial.ndjson")])
        #expect(filled.status == 0, "\(filled.stderr)")
        let partial = try InvocationsOutput(path: dir.file("partial.ndjson"))
        #expect(partial.invocations.map(\.call) == calls)
        #expect(partial.invocations.filter { $0.error == .notSent }.map(\.call.seq) == calls.map(\.seq).filter { $0 % 3 == 1 })
        #expect(filled.stderr.contains("shard 1/3: MISSING"))
    }

    final class ResultsBox: @unchecked Sendable {  // guarded by lock
        private let lock = NSLock()
        private var results: [Int: Tools.Result] = [:]
        func set(_ k: Int, _ r: Tools.Result?) { lock.withLock { results[k] = r } }
        func get(_ k: Int) -> Tools.Result? { lock.withLock { results[k] } }
    }
}
