import Foundation
import JSON
import NDJSONIO
import RecordSchema
import Testing

@testable import Planning

/// The schedule's structure: phases, merge order, payload cycling, determinism.
@Suite struct ScheduleTests {
    static let threeInstances = """
        {"test_name": "s", "test_duration_in_seconds": 30, "random_seed": 7, "memory_sizes": [128, 512, 3008],
         "instances": {"b": {"application": "f", "distribution": "Poisson", "rate": 4},
                       "a": {"application": "g", "distribution": "Uniform", "rate": 2},
                       "c": {"application": "f", "interarrival_list": [0, 1, 0, 2.5]}}}
        """

    /// The generator documented in docs/workload.md, reimplemented in Python
    /// (Fixtures/reference/rightsize_reference.py), gives the same times.
    @Test func matchesIndependentReferenceImplementation() throws {
        struct Reference: Decodable { var times: [String: [Double]] }
        let reference = try JSONDecoder().decode(Reference.self, from: Fixture.bytes("reference/rightsize_times.json"))
        let s = try schedule(String(decoding: Fixture.bytes("reference/reference_workload.json"), as: UTF8.self))
        #expect(reference.times.count == 4)
        for (name, expected) in reference.times {
            let got = times(s, instance: name)
            #expect(got.count == expected.count, "\(name)")
            for (g, e) in zip(got, expected) { #expect(abs(g - e) <= 1e-12 * max(1, e), "\(name): \(g) vs \(e)") }
        }
    }

    /// The exact bytes for the reference workload, committed once: a change of platform,
    /// compiler or code that moved any time or byte would fail here.
    @Test func bytesArePinned() throws {
        let s = try schedule(String(decoding: Fixture.bytes("reference/reference_workload.json"), as: UTF8.self))
        var out: [UInt8] = []
        let encoder = ScheduleLineEncoder(schedule: s)
        var cursor = s.makeCursor()
        while let c = cursor.next() { out += encoder.line(c) }
        let pinned = try Fixture.bytes("reference/reference_schedule.ndjson")
        #expect(out == Array(pinned))
        // The batched writer gives the same bytes after its header line.
        let dir = NSTemporaryDirectory() + "plan-pin-\(UUID().uuidString.prefix(8))"
        var file = try OutputFile(path: dir)
        try ScheduleWriter.write(s, to: &file)
        try file.commit()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let written = try Data(contentsOf: URL(fileURLWithPath: dir))
        #expect(Array(written.drop { $0 != 0x0A }.dropFirst()) == Array(pinned))
    }

    /// Phases come in the order of memory_sizes and replay the same times; seq counts the
    /// whole file; inside a phase times never decrease and ties go in instance-name order.
    @Test func phasesReplayTheSameMergedTimes() throws {
        let s = try schedule(Self.threeInstances)
        let calls = s.calls()
        #expect(calls.map(\.seq) == Array(0..<calls.count))
        let phases = Dictionary(grouping: calls, by: \.phase)
        #expect(phases.keys.sorted() == [0, 1, 2])
        #expect(calls.map(\.memoryMB) == calls.map { [128, 512, 3008][$0.phase] })
        let first = phases[0]!.map { "\($0.instance) \($0.atS) \($0.payloadIndex)" }
        for p in 1...2 { #expect(phases[p]!.map { "\($0.instance) \($0.atS) \($0.payloadIndex)" } == first) }
        #expect(calls.map(\.phase) == calls.map(\.phase).sorted())
        for phase in phases.values {
            for (x, y) in zip(phase, phase.dropFirst()) {
                #expect(
                    x.atS < y.atS || (x.atS == y.atS && x.instance.utf8.lexicographicallyPrecedes(y.instance.utf8))
                        || (x.atS == y.atS && x.instance == y.instance))
            }
        }
        #expect(s.callsPerPhase() * 3 == calls.count)
    }

    /// Replayed lists: running sums, a zero gap repeats the time, cut past the duration.
    @Test func replayedListsAreCutAtTheDuration() throws {
        let s = try schedule(
            """
            {"test_name": "l", "test_duration_in_seconds": 10,
             "instances": {"x": {"application": "f", "interarrivals_list": [0, 2, 0, 8, 0.5, 1]},
                           "y": {"application": "f", "interarrival_list": [5, 5, 0.001]},
                           "z": {"application": "f", "distribution": "Poisson", "rate": 0},
                           "u": {"application": "f", "distribution": "Uniform", "rate": 0}}}
            """)
        #expect(times(s, instance: "x") == [0, 2, 2, 10])
        #expect(times(s, instance: "y") == [5, 10])
        #expect(times(s, instance: "z").isEmpty)
        #expect(times(s, instance: "u").isEmpty)
    }

    /// Adding an instance does not move any other instance's calls.
    @Test func addingAnInstanceChangesNothingElse() throws {
        let before = try schedule(
            """
            {"test_name": "a", "test_duration_in_seconds": 60, "random_seed": 3,
             "instances": {"one": {"application": "f", "distribution": "Poisson", "rate": 3},
                           "two": {"application": "f", "distribution": "Uniform", "rate": 1}}}
            """)
        let after = try schedule(
            """
            {"test_name": "a", "test_duration_in_seconds": 60, "random_seed": 3,
             "instances": {"zero": {"application": "f", "distribution": "Poisson", "rate": 9},
                           "one": {"application": "f", "distribution": "Poisson", "rate": 3},
                           "two": {"application": "f", "distribution": "Uniform", "rate": 1}}}
            """)
        for name in ["one", "two"] {
            #expect(times(before, instance: name) == times(after, instance: name))
        }
        #expect(!times(after, instance: "zero").isEmpty)
    }

    /// A payload array is cycled in order, per instance and phase.
    @Test func payloadArraysAreCycled() throws {
        let dir = NSTemporaryDirectory() + "plan-payload-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir + "/p", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"[{"n": 1}, "two", [3]]"#.write(toFile: dir + "/p/in.json", atomically: true, encoding: .utf8)
        let s = try schedule(
            """
            {"test_name": "p", "test_duration_in_seconds": 5, "random_seed": 1, "memory_sizes": [128, 256],
             "instances": {"a": {"application": "f", "interarrivals_list": [1, 1, 1, 1], "payload": "p/in.json"},
                           "b": {"application": "f", "interarrivals_list": [0.5]}}}
            """, directory: dir)
        let calls = s.calls()
        let a = calls.filter { $0.instance == "a" }
        #expect(a.map(\.payload.text) == [#"{"n":1}"#, #""two""#, "[3]", #"{"n":1}"#, #"{"n":1}"#, #""two""#, "[3]", #"{"n":1}"#])
        #expect(a.map(\.payloadIndex) == [0, 1, 2, 0, 0, 1, 2, 0])
        #expect(calls.filter { $0.instance == "b" }.allSatisfy { $0.payload == .emptyObject && $0.payloadIndex == 0 })
    }

    /// The fast line encoder writes exactly what Record.write writes, for awkward values too.
    @Test func fastEncoderMatchesRecordWrite() throws {
        let dir = NSTemporaryDirectory() + "plan-enc-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"[{"k": "a \"quoted\" \u00e9 value", "at_s": 1}, null, 12.50]"#.write(
            toFile: dir + "/in.json", atomically: true, encoding: .utf8)
        let s = try schedule(
            #"""
            {"test_name": "e", "test_duration_in_seconds": 100, "random_seed": 18446744073709551615, "memory_sizes": [10240, 128],
             "instances": {"in \"q\" \\ é": {"application": "app\t1", "interarrivals_list": [0.00001, 1e-5, 3, 0.1, 1e15, 0.5], "payload": "in.json",
                                   "host": "h.example.com", "stage": "/s/", "resource": "/r?x=1&y=\"2\"", "scheme": "http", "signed": true},
                           "l": {"application": "fn", "distribution": "Poisson", "rate": 3, "function_name": "other", "region": "eu-west-1",
                                 "invocation_type": "Event", "qualifier": "live"}}}
            """#, directory: dir)
        let encoder = ScheduleLineEncoder(schedule: s)
        var cursor = s.makeCursor()
        var lines = 0
        while let c = cursor.next() {
            let fast = encoder.line(c)
            var slow = JSONWriter()
            Record.schedule(s.call(instance: c.instance, phase: c.phase, seq: c.seq, atS: c.atS, payloadIndex: c.payloadIndex)).write(
                to: &slow)
            #expect(fast == slow.bytes, "\(String(decoding: fast, as: UTF8.self))")
            lines += 1
        }
        #expect(lines > 500)
        // Special numbers: tiny, integral, large.
        for x in [0.0, 1e-5, 1.5e-7, 3.0, 123456.0, 999999999999999.0, 1e15, 1e300, 0.1 + 0.2] {
            let fast = ScheduleLineEncoder.number(x)
            var slow = JSONWriter()
            slow.number(x)
            #expect(fast == slow.bytes, "\(x)")
        }
    }

    /// The target URL is assembled without doubled or missing slashes.
    @Test func httpURLsAreJoinedCleanly() {
        #expect(
            WorkloadParser.url(
                scheme: "https", host: "x.execute-api.us-east-2.amazonaws.com", stage: "default", resource: "/pyaes?format=json")
                == "https://x.execute-api.us-east-2.amazonaws.com/default/pyaes?format=json")
        #expect(WorkloadParser.url(scheme: "https", host: "h", stage: "default", resource: "chameleon") == "https://h/default/chameleon")
        #expect(
            WorkloadParser.url(scheme: "http", host: "127.0.0.1:9000", stage: "/dev/", resource: "//fn") == "http://127.0.0.1:9000/dev/fn")
        #expect(WorkloadParser.url(scheme: "https", host: "h", stage: "", resource: "r") == "https://h/r")
        #expect(WorkloadParser.url(scheme: "https", host: "h", stage: "s", resource: "") == "https://h/s")
    }
}
