import Foundation
import TestSupport
import Testing

@testable import Planning

/// `--compat faasprofiler` against event times numpy itself produced
/// (Fixtures/numpy/faasprofiler_times.json, made by make_faasprofiler_times.py).
@Suite struct CompatibilityTests {
    struct NumpyTimes: Decodable {
        struct Case: Decodable {
            var seed: UInt64
            var rate: Double
            var duration: Double
            var activityWindow: [Double]?
            var times: [Double]

            enum CodingKeys: String, CodingKey {
                case seed, rate, duration, times
                case activityWindow = "activity_window"
            }
        }
        var numpyVersion: String
        var cases: [Case]

        enum CodingKeys: String, CodingKey {
            case cases
            case numpyVersion = "numpy_version"
        }
    }

    static func numpyCases() throws -> [NumpyTimes.Case] {
        try JSONDecoder().decode(NumpyTimes.self, from: Fixture.bytes("numpy/faasprofiler_times.json")).cases
    }

    static func workload(_ c: NumpyTimes.Case, extraInstance: Bool = false) -> String {
        let window = c.activityWindow.map { ", \"activity_window\": [\($0[0]), \($0[1])]" } ?? ""
        let other = extraInstance ? #", "other": {"application": "g", "distribution": "Poisson", "rate": 3}"# : ""
        return """
            {"test_name": "compat", "test_duration_in_seconds": \(c.duration), "random_seed": \(c.seed),
             "instances": {"i": {"application": "f", "distribution": "Poisson", "rate": \(c.rate)\(window)}\(other)}}
            """
    }

    /// Every fixture case, bit for bit (the times are compared as doubles, not rounded).
    @Test func poissonTimesEqualNumpys() throws {
        let cases = try Self.numpyCases()
        #expect(cases.count >= 7)
        for c in cases {
            let s = try schedule(Self.workload(c), generator: .faasprofiler)
            #expect(times(s, instance: "i") == c.times, "seed \(c.seed) rate \(c.rate)")
        }
    }

    /// FaaSProfiler re-seeds every Poisson instance: all instances share one unit sequence.
    @Test func instancesShareOneStream() throws {
        let c = try Self.numpyCases()[1]  // seed 100, rate 5, no window
        let s = try schedule(Self.workload(c, extraInstance: true), generator: .faasprofiler)
        let mine = times(s, instance: "i")
        let other = times(s, instance: "other")
        // Same unit draws scaled by 1/rate: times in the ratio 5 : 3 while both are inside the run.
        for (a, b) in zip(mine, other).prefix(20) { #expect(abs(a * 5 - b * 3) < 1e-9) }
    }

    /// Through the real tool: the schedule's at_s values are numpy's.
    @Test func planToolWritesNumpysTimes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let c = try Self.numpyCases()[0]
        try dir.write("w.json", Self.workload(c))
        let result = try Tools.run("plan", ["--compat", "faasprofiler", dir.file("w.json")])
        #expect(result.status == 0, "\(result.stderr)")
        let calls = try scheduledCalls(result.stdout)
        #expect(calls.map(\.atS) == c.times)
        #expect(try runHeader(result.stdout)?.generator == "faasprofiler")
    }

    @Test func compatNeedsA32BitSeed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write(
            "w.json",
            """
            {"test_name": "compat",
             "test_duration_in_seconds": 10,
             "random_seed": 4294967296,
             "instances": {"i": {"application": "f", "distribution": "Poisson", "rate": 1}}}
            """)
        let result = try Tools.run("plan", ["--compat", "faasprofiler", dir.file("w.json")])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("plan: \(dir.file("w.json")):3: random_seed: "))
        #expect(try Tools.run("plan", [dir.file("w.json")]).status == 0)  // fine for rightsize's generator
    }
}
