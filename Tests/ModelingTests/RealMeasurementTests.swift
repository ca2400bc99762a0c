import Foundation
import JSON
import Modeling
import RecordSchema
import SyntheticData
import TestSupport
import Testing

/// fit on fixtures built from real Lambda REPORT figures (data/measurements/meex28-quantiles.json,
/// sampled as MeasuredQuantiles documents, fixed seed): the behaviour the issue names, on
/// measurements whose truth is the fixture's own records.
@Suite struct RealMeasurementTests {
    static let figures = try! MeasuredQuantiles.load(path: PackageRoot.path + "/data/measurements/meex28-quantiles.json")
    static let price = PriceTable.builtIn.regions["us-east-1"]!["x86_64"]!

    static func lines(_ set: String, sizes: [Int]? = nil) -> [String] {
        var out: [String] = []
        figures.generate(set, sizes: sizes, function: "f") { record in
            var w = JSONWriter()
            record.write(to: &w)
            out.append(String(decoding: w.bytes.dropLast(), as: UTF8.self))
        }
        return out
    }

    /// The cost per invocation computed from a size's own billed durations (their plain mean).
    static func measuredCost(_ set: String, _ m: Int) -> Double {
        let calls = figures.calls(set, memoryMB: m, seed: 2026)
        let billed = calls.map(\.billedMs).reduce(0, +) / Double(calls.count)
        return price.gbSecondUSD * Double(m) / 1024 * billed / 1000 + price.requestUSD
    }

    /// The sets of cold calls: their Duration scales with memory (a JVM's first call runs
    /// interpreted code, CPU-bound); the warm sets are 1–15 ms handlers, flat or a sharp drop.
    static let scalingSets = figures.setNames.filter { $0.hasSuffix("/cold") }

    static func fit(_ set: String, sizes: [Int]? = nil, _ arguments: [String] = []) throws -> (FunctionModel, String) {
        let run = try FitRun.run(lines: lines(set, sizes: sizes), arguments)
        defer { run.dir.remove() }
        #expect(run.result.status == 0, "\(run.result.stderr)")
        return (try #require(run.models?.model("f")), run.result.stderr)
    }

    @Test(arguments: figures.setNames)
    func measuredCostsAndRecommendations(set: String) throws {
        let sizes = Self.figures.sizes(set)
        for extrapolate in [false, true] {
            let (m, _) = try Self.fit(set, extrapolate ? ["--extrapolate"] : [])
            // Cost at a measured size is that size's measured cost.
            for size in sizes {
                let p = try #require(m.costCurve.first { $0.memoryMB == size })
                #expect(abs(p.costUSD / Self.measuredCost(set, size) - 1) <= 0.01, "\(set) at \(size) MB")
                #expect(p.source == "measured" && p.observed)
            }
            // Physical everywhere on the grid; the chosen form's coefficients are non-negative.
            #expect(m.costCurve.allSatisfy { $0.durationMs > 0 && $0.costUSD > 0 && $0.durationLoMs > 0 }, "\(set)")
            let runtime = try #require(m.runtime)
            #expect(runtime.parameters.values.allSatisfy { $0 >= 0 }, "\(set): \(runtime.parameters)")
            // Cheapest: regret against the truly cheapest measured size.
            let recs = try #require(m.recommendations)
            let cheapest = try #require(recs.cheapest)
            let truth = sizes.min { Self.measuredCost(set, $0) < Self.measuredCost(set, $1) }!
            if let at = sizes.first(where: { $0 == cheapest.memoryMB }) {
                #expect(Self.measuredCost(set, at) / Self.measuredCost(set, truth) - 1 <= 0.02, "\(set): \(at) MB vs \(truth) MB")
            } else {
                // An unmeasured size may win only by more than the model's own error.
                #expect(cheapest.costPerMillionUSD / 1e6 < Self.measuredCost(set, truth), "\(set): \(cheapest.memoryMB) MB")
            }
            // Fastest and balanced are checked the same way, on the measured figures (without
            // --extrapolate: with it, sizes beyond the measured ones are rightly faster still).
            guard !extrapolate else { continue }
            let mean = { (s: Int) in m.costCurve.first { $0.memoryMB == s }!.durationMs }
            let tolerance = max(0.01, (runtime.looMape ?? 0) / 100)
            let fastest = try #require(recs.fastest)
            #expect(fastest.durationMs <= sizes.map(mean).min()! * (1 + tolerance) * 1.02, "\(set): fastest \(fastest.memoryMB) MB")
            let balanced = try #require(recs.balanced)
            let cmin = sizes.map { Self.measuredCost(set, $0) }.min()!
            let dmin = sizes.map(mean).min()!
            let score = { (c: Double, d: Double) in 0.5 * c / cmin + 0.5 * d / dmin }
            let bestScore = sizes.map { score(Self.measuredCost(set, $0), mean($0)) }.min()!
            #expect(score(balanced.costPerMillionUSD / 1e6, balanced.durationMs) <= bestScore * 1.02, "\(set): balanced")
            for r in [recs.cheapest, recs.fastest, recs.balanced] { #expect((r?.durationMs ?? 0) > 0) }
            // The nested error is what is reported, and each size's prediction is in the file.
            if let loo = runtime.looPredictions, let reported = runtime.looMape {
                let mean = loo.map(\.errorPct).reduce(0, +) / Double(loo.count)
                #expect(abs(mean - reported) <= 0.01 * max(1, reported))
            }
        }
    }

    /// Leave one measured size out, fit on the rest, compare the prediction there with the
    /// size's own robust mean, over every set whose duration scales with memory: median
    /// interior error <= 5%, median end error <= 15%, and the error fit reported on the rest
    /// not below the errors seen by more than 1.5x.
    @Test func leftOutSizesOfScalingFunctions() throws {
        var interior: [Double] = []
        var ends: [Double] = []
        for set in Self.scalingSets {
            let sizes = Self.figures.sizes(set)
            let (all, _) = try Self.fit(set)
            #expect(all.runtime?.invocations == "cold", "a cold-only function is modelled from its cold calls")
            #expect(all.recommendations?.cheapest != nil)
            var reported: [Double] = []
            var seen: [Double] = []
            for leave in sizes {
                let (m, _) = try Self.fit(set, sizes: sizes.filter { $0 != leave }, ["--extrapolate"])
                let p = try #require(m.costCurve.first { $0.memoryMB == leave })
                let actual = try #require(all.observations.first { $0.memoryMB == leave }?.coldDurationMeanMs)
                let error = abs(p.durationMs / actual - 1) * 100
                if leave == sizes.first || leave == sizes.last { ends.append(error) } else { interior.append(error) }
                seen.append(error)
                reported.append(try #require(m.runtime?.looMape))
            }
            let meanReported = reported.reduce(0, +) / Double(sizes.count)
            let meanSeen = seen.reduce(0, +) / Double(sizes.count)
            #expect(meanReported * 1.5 >= meanSeen, "\(set): reported \(reported), seen \(seen)")
            print("\(set): mean reported nested error \(meanReported)%, mean error seen \(meanSeen)%")
        }
        func median(_ v: [Double]) -> Double {
            let s = v.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        print(
            "left-out sizes: interior errors \(interior.map { Int($0 * 10) }) (tenths of %), median \(median(interior))%; ends \(ends.map { Int($0 * 10) }), median \(median(ends))%"
        )
        #expect(median(interior) <= 5, "interior errors \(interior)")
        #expect(median(ends) <= 15, "end errors \(ends)")
    }

    /// GraalVM-native warm calls take 1–1.3 ms at every size: the flat form, the smallest size.
    @Test func flatFunctionGetsTheSmallestSafeSize() throws {
        let (m, stderr) = try Self.fit("meex28/java-function-native/warm")
        #expect(m.runtime?.form == "flat")
        #expect(m.durationDependsOnMemory == false)
        #expect(m.recommendations?.cheapest?.memoryMB == 128)
        #expect(stderr.contains("duration does not depend on memory here"))
        // Every candidate form is physical: non-negative coefficients.
        for c in m.runtime?.candidates ?? [] { #expect(c.parameters.values.allSatisfy { $0 >= 0 }, "\(c.form): \(c.parameters)") }
    }

    /// A REPORT whose Memory Size differs from its phase (a qualifier pins a published version)
    /// is modelled at the size Lambda ran, counted and named, not pooled with its phase.
    @Test func reportsAtAnotherMemorySizeAreFlagged() throws {
        var records: [String] = []
        Self.figures.generate("meex28/java-function-jar/cold", function: "f") { record in
            var r = record
            if case .log(var l) = record, l.invocation.call.memoryMB == 512 {
                l.report.memoryMB = 256
                r = .log(l)
            }
            var w = JSONWriter()
            r.write(to: &w)
            records.append(String(decoding: w.bytes.dropLast(), as: UTF8.self))
        }
        let run = try FitRun.run(lines: records)
        defer { run.dir.remove() }
        let m = try #require(run.models?.model("f"))
        #expect(m.memoryMismatches == 51)
        #expect(m.observations.first { $0.memoryMB == 256 }?.memoryMismatches == 51)
        #expect(m.observations.allSatisfy { $0.memoryMB != 512 })
        #expect(run.result.stderr.contains("ran at a memory size other than their phase configured"))
    }

    /// JVM warm calls: 15 ms at 128 MB, then 2 ms: no form predicts the left-out sizes, so
    /// fit says so and recommends among the measured sizes only.
    @Test func sharpDropIsRecommendedAmongMeasuredSizesOnly() throws {
        for set in ["meex28/java-function-jar/warm", "meex28/kotlin-function-jar/warm"] {
            let (m, stderr) = try Self.fit(set)
            #expect(m.modelFillsBetween == false, "\(set)")
            #expect(m.costCurve.filter { $0.source == "modelled" }.allSatisfy { $0.excluded == "model_error" })
            #expect(m.recommendations?.cheapest?.source == "measured")
            #expect(m.warnings.contains { $0.contains("recommendations are among the measured sizes only") })
            #expect(stderr.contains("measured sizes only"))
        }
    }
}
