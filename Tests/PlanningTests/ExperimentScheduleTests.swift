import Foundation
import JSON
import RecordSchema
import Testing
import ToolSupport

@testable import Planning

/// The schedules of the experiments in docs/workload.md: closed loops, ramps, cold-start
/// lifetime sweeps, payload weights and shuffle, kept response fields.
@Suite struct ExperimentScheduleTests {
    static func workload(_ instance: String, sizes: String = "[128, 256]") -> String {
        #"{"test_name": "x", "test_duration_in_seconds": 10, "random_seed": 7, "memory_sizes": \#(sizes), "instances": {"a": {\#(instance)}}}"#
    }

    @Test func closedLoopHasItsRunsInOrderInEveryPhase() throws {
        let calls = try schedule(Self.workload(#""application": "f", "concurrency": 8, "runs": 400"#)).calls()
        #expect(calls.count == 800)
        for phase in 0..<2 {
            let mine = calls.filter { $0.phase == phase }
            #expect(mine.map { $0.loop?.order } == Array(0..<400))
            #expect(mine.allSatisfy { $0.loop?.concurrency == 8 && $0.loop?.step == 0 && $0.atS == 0 && $0.loop?.idleS == nil })
        }
    }

    @Test func closedLoopsAloneNeedNoDuration() throws {
        let loops =
            #"{"test_name": "x", "instances": {"a": {"application": "f", "concurrency": 2, "runs": 3}, "b": {"application": "g", "idle_gaps_s": [1]}}}"#
        #expect(try schedule(loops).calls().count == 5)
        let mixed =
            #"{"test_name": "x", "instances": {"a": {"application": "f", "concurrency": 2, "runs": 3}, "b": {"application": "g", "distribution": "Poisson", "rate": 1}}}"#
        #expect(throws: InputError.self) { try schedule(mixed) }
    }

    @Test func rampStepsDoubleUpToTheTop() throws {
        let loop = try #require(
            {
                if case .closedLoop(let l) = try schedule(
                    Self.workload(#""application": "f", "ramp": {"from": 1, "to": 32, "factor": 2, "runs_per_slot": 3}"#)
                ).workload.instances[0].arrivals {
                    return l
                }
                return nil
            }())
        #expect(loop.steps.map(\.concurrency) == [1, 2, 4, 8, 16, 32])
        #expect(loop.steps.map(\.runs) == [3, 6, 12, 24, 48, 96])
        #expect(ClosedLoop.rampConcurrencies(from: 1, to: 10, step: 4, factor: nil) == [1, 5, 9, 10])
        #expect(ClosedLoop.rampConcurrencies(from: 3, to: 20, step: nil, factor: 1.5) == [3, 5, 8, 12, 18, 20])
        let calls = try schedule(
            Self.workload(#""application": "f", "ramp": {"from": 1, "to": 4, "step": 1, "runs_per_slot": 2}"#, sizes: "[128]")
        ).calls()
        #expect(calls.map { $0.loop!.step } == [0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3])
        #expect(calls.map { $0.loop!.concurrency } == calls.map { $0.loop!.step + 1 })
    }

    @Test func idleSweepCallsOnceAfterEachGapInASeededOrder() throws {
        let text = Self.workload(#""application": "f", "idle_gaps_s": [1, 3, 7, 10], "repeats": 3"#, sizes: "[128]")
        let calls = try schedule(text).calls()
        #expect(calls.count == 13)
        #expect(calls[0].loop?.idleS == nil, "the first call starts the environment")
        let gaps = calls.dropFirst().map { $0.loop!.idleS! }
        #expect(gaps.sorted() == [1, 1, 1, 3, 3, 3, 7, 7, 7, 10, 10, 10])
        #expect(gaps != [1, 3, 7, 10, 1, 3, 7, 10, 1, 3, 7, 10], "shuffled, not in the listed order")
        #expect(try schedule(text).calls() == calls, "the same seed gives the same order")
        let other = try schedule(text.replacingOccurrences(of: "\"random_seed\": 7", with: "\"random_seed\": 8")).calls()
        #expect(other.dropFirst().map { $0.loop!.idleS! } != gaps, "another seed, another order")
        #expect(calls.allSatisfy { $0.loop?.concurrency == 1 })
    }

    func payloadCounts(_ instance: String, directory: String) throws -> (counts: [Int: Int], order: [Int]) {
        let calls = try schedule(Self.workload(instance, sizes: "[128]"), directory: directory).calls()
        return (Dictionary(grouping: calls, by: \.payloadIndex).mapValues(\.count), calls.map(\.payloadIndex))
    }

    @Test func weightsSplitCallsExactlyWithAndWithoutShuffle() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weights-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"[{"ms": 2}, {"ms": 10}]"#.utf8).write(to: dir.appendingPathComponent("p.json"))
        let base = #""application": "f", "concurrency": 16, "runs": 4000, "payload": "p.json", "payload_weights": [1, 3]"#
        let even = try payloadCounts(base, directory: dir.path)
        #expect(even.counts == [0: 1000, 1: 3000])
        #expect(Array(even.order.prefix(8)) == [1, 0, 1, 1, 1, 0, 1, 1], "interleaved evenly: one in four")
        let shuffled = try payloadCounts(base + #", "shuffle_payloads": true"#, directory: dir.path)
        #expect(shuffled.counts == [0: 1000, 1: 3000])
        #expect(shuffled.order != even.order)
        #expect(try payloadCounts(base + #", "shuffle_payloads": true"#, directory: dir.path).order == shuffled.order)
        // Shares within every stretch, not only in total: the first 400 calls are close to 1:3 too.
        #expect(abs(shuffled.order.prefix(400).filter { $0 == 0 }.count - 100) < 30)
        // Open-loop instances are weighted the same way over their calls in a phase.
        let poisson = try payloadCounts(
            #""application": "f", "distribution": "Uniform", "rate": 40, "payload": "p.json", "payload_weights": [1, 3]"#,
            directory: dir.path)
        #expect(poisson.counts == [0: 100, 1: 299] || poisson.counts == [0: 100, 1: 300] || poisson.counts == [0: 99, 1: 300])
        #expect(PayloadPicker.apportion(10, weights: [1, 1, 1]) == [4, 3, 3])
        #expect(PayloadPicker.apportion(7, weights: [0.5, 2.5]) == [1, 6])
    }

    @Test func unweightedSchedulesKeepTheirBytes() throws {
        // No experiment keys: no new keys on the lines (the golden schedules pin the rest).
        let calls = try schedule(Self.workload(#""application": "f", "distribution": "Poisson", "rate": 3"#)).calls()
        var w = JSONWriter()
        Record.schedule(calls[0]).write(to: &w)
        for key in ["loop_", "idle_s", "cold", "response_fields"] { #expect(!w.text.contains(key)) }
    }

    @Test func coldAndResponseFieldsReachEveryLine() throws {
        let calls = try schedule(
            Self.workload(#""application": "f", "concurrency": 1, "runs": 3, "cold": true, "response_fields": ["/stat/inst_id", "/a~1b"]"#)
        ).calls()
        #expect(calls.allSatisfy { $0.cold && $0.responseFields == ["/stat/inst_id", "/a~1b"] })
        var w = JSONWriter()
        Record.schedule(calls[0]).write(to: &w)
        let decoded = try w.bytes.withUnsafeBufferPointer { try Record.decode($0) }
        #expect(decoded == .schedule(calls[0]))
    }

    @Test func fastWriterMatchesRecordWriterForLoops() throws {
        let s = try schedule(
            Self.workload(#""application": "f", "ramp": {"from": 1, "to": 3, "step": 1, "runs_per_slot": 1}, "cold": true"#))
        let encoder = ScheduleLineEncoder(schedule: s)
        var cursor = s.makeCursor()
        while let c = cursor.next() {
            var w = JSONWriter()
            Record.schedule(
                s.call(instance: c.instance, phase: c.phase, seq: c.seq, atS: c.atS, payloadIndex: c.payloadIndex, loop: c.loop)
            )
            .write(to: &w)
            #expect(encoder.line(c) == w.bytes)
        }
    }
}
