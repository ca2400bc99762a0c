import Foundation
import RecordSchema
import TestSupport
import Testing

/// Schedules that must never change (docs/plan.md, "Schedule format version"): each was
/// written by `plan` and is compared byte for byte, header included. The files in
/// Fixtures/Golden/ other than the trace ones were made by main's plan before traces
/// existed, so they prove that adding traces left every other schedule as it was.
@Suite struct GoldenScheduleTests {
    static let golden = PackageRoot.path + "/Tests/PlanningTests/Fixtures/Golden"

    /// (workload, extra flags, golden schedule)
    static let cases: [(String, [String], String)] = [
        ("poisson.json", [], "poisson.schedule.ndjson"),
        ("uniform.json", [], "uniform.schedule.ndjson"),
        ("replay.json", [], "replay.schedule.ndjson"),
        ("compat.json", [], "compat-rightsize.schedule.ndjson"),
        ("compat.json", ["--compat", "faasprofiler"], "compat-faasprofiler.schedule.ndjson"),
        ("example/example.json", [], "example.schedule.ndjson"),
        // Written when traces were added (the trace files are copied into Golden/traces/).
        ("trace-azure2019.json", [], "trace-azure2019.schedule.ndjson"),
        ("trace-cloudwatch.json", ["--compat", "faasprofiler"], "trace-cloudwatch.schedule.ndjson"),
    ]

    @Test(arguments: 0..<cases.count) func planReproducesTheGoldenSchedule(_ k: Int) throws {
        let (workload, flags, expectedName) = Self.cases[k]
        let result = try Tools.run("plan", flags + [workload], currentDirectory: Self.golden)
        #expect(result.status == 0, "\(result.stderr)")
        // The tool's version is the only part of the header allowed to move with a release.
        let expected = try String(contentsOfFile: Self.golden + "/" + expectedName, encoding: .utf8)
            .replacingOccurrences(of: #""tools":["plan 0.1.0"]"#, with: #""tools":["plan \#(RightsizeVersion.current)"]"#)
        let matches = result.stdout == expected
        #expect(
            matches, "\(workload) \(flags): the schedule differs from \(expectedName) (\(Self.firstDifference(result.stdout, expected)))")
    }

    static func firstDifference(_ a: String, _ b: String) -> String {
        let la = a.split(separator: "\n", omittingEmptySubsequences: false)
        let lb = b.split(separator: "\n", omittingEmptySubsequences: false)
        for k in 0..<max(la.count, lb.count) {
            let x = k < la.count ? String(la[k]) : "<none>"
            let y = k < lb.count ? String(lb[k]) : "<none>"
            if x != y { return "line \(k + 1): got \(x.prefix(300)) expected \(y.prefix(300))" }
        }
        return "identical lines"
    }
}
