import Foundation
import JSON
import Modeling
import RecordSchema
import SyntheticData
import TestSupport
import Testing

/// The models against a known truth: data generated with the emulator's physics.
@Suite struct SyntheticModelTests {
    static let price = PriceTable.builtIn.regions["us-east-1"]!["x86_64"]!

    /// The true cheapest size on fit's grid (128...10240 step 64 plus the measured sizes), within the
    /// measured range (where fit recommends without --extrapolate) or on the whole grid.
    static func trueCheapest(_ f: SyntheticFunction, sizes: [Int], wholeGrid: Bool = false) -> Int {
        let grid = Set(Array(stride(from: 128, through: 10240, by: 64)) + sizes)
            .filter { wholeGrid || ($0 >= sizes.min()! && $0 <= sizes.max()!) }.sorted()
        return grid.min { a, b in
            f.trueCost(Double(a), gbSecondUSD: price.gbSecondUSD, requestUSD: price.requestUSD, granularityMs: 1)
                < f.trueCost(Double(b), gbSecondUSD: price.gbSecondUSD, requestUSD: price.requestUSD, granularityMs: 1)
        }!
    }

    static let interiorMinimum = SyntheticFunction(
        name: "parrotfish-shaped", payload: #"{"cmds":{"io":{"cnt":10}}}"#,
        duration: { m in 40 + 3000 * exp(-m / 300) }, initDuration: { _ in 200 }, maxMemoryMB: 50, noise: 0.04)

    static func trueCost(_ f: SyntheticFunction, _ m: Int) -> Double {
        f.trueCost(Double(m), gbSecondUSD: price.gbSecondUSD, requestUSD: price.requestUSD, granularityMs: 1)
    }

    /// Physics the forms contain exactly: every size predicted within 10% by the nested check
    /// (6 sizes; with 4 the sharp Parrotfish drop is honestly reported as uncertain), and the
    /// cheapest size within 2% of the true cheapest cost — on the grid when the model fills
    /// between the measured sizes, else among the measured sizes.
    @Test(arguments: [[128, 256, 512, 1024, 1769, 3008], [128, 512, 1024, 2048], [256, 768, 1536, 3008]])
    func nestedErrorsAndCheapestCostRegret(sizes: [Int]) throws {
        let functions = [SyntheticFunction.cpuBound(), SyntheticFunction.sleepBound(), Self.interiorMinimum]
        let run = try FitRun.run(lines: FitRun.lines(functions, sizes: sizes, perSize: 40, coldPerSize: 1))
        defer { run.dir.remove() }
        #expect(run.result.status == 0, "\(run.result.stderr)")
        let models = try #require(run.models)
        for f in functions {
            let m = try #require(models.model(f.name))
            let runtime = try #require(m.runtime)
            let loo = try #require(runtime.looPredictions)
            #expect(loo.count == sizes.count)
            if sizes.count >= 6 || f.name != Self.interiorMinimum.name {
                for size in loo { #expect(size.errorPct <= 10, "\(f.name) at \(size.memoryMB) MB: \(size.errorPct)% (\(size.form ?? ""))") }
                #expect(try #require(runtime.looMape) <= 10)
                #expect(m.modelFillsBetween == true)
            }
            let cheapest = try #require(m.recommendations?.cheapest)
            let truth =
                m.modelFillsBetween == true
                ? Self.trueCheapest(f, sizes: sizes) : sizes.min { Self.trueCost(f, $0) < Self.trueCost(f, $1) }!
            let regret = Self.trueCost(f, cheapest.memoryMB) / Self.trueCost(f, truth) - 1
            #expect(regret <= 0.02, "\(f.name): recommended \(cheapest.memoryMB) MB, true \(truth) MB, regret \(regret * 100)%")
            #expect(
                cheapest.costPerMillionCILoUSD <= cheapest.costPerMillionUSD && cheapest.costPerMillionUSD <= cheapest.costPerMillionCIHiUSD
            )
            #expect(m.costCurve.count >= 159)
            #expect(m.costCurve.allSatisfy { $0.durationMs > 0 && $0.costUSD > 0 })
        }
        #expect(models.model(SyntheticFunction.sleepBound().name)?.runtime?.form == "flat")
        #expect(models.model(SyntheticFunction.sleepBound().name)?.durationDependsOnMemory == false)
    }

    /// A sleep-bound function measured from 256 MB: 128 MB costs half as much, but lies outside
    /// the measured sizes, so only --extrapolate may recommend it (and then says so).
    @Test func recommendationsStayInTheMeasuredRangeUnlessAskedToExtrapolate() throws {
        let f = SyntheticFunction.sleepBound()
        let lines = FitRun.lines([f], sizes: [256, 768, 1536, 3008], perSize: 20)
        let inside = try FitRun.run(lines: lines)
        let outside = try FitRun.run(lines: lines, ["--extrapolate"])
        defer {
            inside.dir.remove()
            outside.dir.remove()
        }
        let a = try #require(inside.models?.model(f.name))
        let b = try #require(outside.models?.model(f.name))
        #expect(a.recommendations?.cheapest?.memoryMB == 256, "form \(a.runtime?.form ?? "-")")
        #expect(a.costCurve.first { $0.memoryMB == 128 }?.excluded == "extrapolated")
        #expect(b.costCurve.first { $0.memoryMB == 128 }?.excluded == nil)
        #expect(b.recommendations?.cheapest?.memoryMB == 128)
        #expect(b.recommendations?.cheapest?.extrapolated == true && b.recommendations?.cheapest?.source == "extrapolated")
        #expect(outside.result.stderr.contains("extrapolated"))
    }

    @Test func sameInputGivesTheSameBytes() throws {
        let lines = FitRun.lines([.cpuBound()], sizes: [128, 512, 1024, 2048], perSize: 20)
        let a = try FitRun.run(lines: lines)
        let b = try FitRun.run(lines: lines)
        defer {
            a.dir.remove()
            b.dir.remove()
        }
        let textA = try #require(a.modelsText)
        let textB = try #require(b.modelsText)
        // The input path differs between the two runs; everything else must be identical.
        #expect(textA.replacingOccurrences(of: a.dir.path, with: "") == textB.replacingOccurrences(of: b.dir.path, with: ""))
        #expect(a.models?.format == "rightsize.models/1")
        #expect(a.models?.provenance.inputs.first?.sha256.count == 64)
    }

    @Test func logWaitSummariesAndProvenanceAreCarried() throws {
        var lines = FitRun.lines([.cpuBound()], sizes: [128, 512, 1024], perSize: 5)
        let wait = LogWaitSummary(
            function: "cpu-bound", logGroup: "/aws/lambda/cpu-bound", expected: 16, found: 15,
            timedOut: true, unmatched: 2, unparseable: 1, waitedS: 30.5, apiCalls: 12)
        var w = JSONWriter()
        Record.logWait(wait).write(to: &w)
        lines.append(String(decoding: w.bytes.dropLast(), as: UTF8.self))
        let run = try FitRun.run(lines: lines)
        defer { run.dir.remove() }
        let models = try #require(run.models)
        #expect(models.logWait.count == 1)
        #expect(models.logWait.first?.timedOut == true && models.logWait.first?.found == 15)
        #expect(models.provenance.seed == 3 && models.provenance.run == "synthetic-3")
        #expect(models.provenance.tools.last?.hasPrefix("fit ") == true)
        #expect(models.provenance.inputs.first?.records == ["run": 1, "log": 15, "log_wait": 1])
        #expect(models.pricing.gbSecondUSD == 0.0000166667 && models.pricing.architecture == "x86_64")
    }

    @Test func readsStandardInputAndWritesStandardOutput() throws {
        let lines = FitRun.lines([.sleepBound()], sizes: [128, 512, 1024], perSize: 5)
        let text = lines.map { $0 + "\n" }.joined()
        let r = try Tools.run("fit", ["-", "--grid-step", "1000"], stdin: text)
        #expect(r.status == 0, "\(r.stderr)")
        let models = try JSONDecoder().decode(ModelsFile.self, from: Data(r.stdout.utf8))
        #expect(models.provenance.inputs.first?.path == "-")
        // The hash of the lines read equals the file's bytes (what sha256sum would say).
        let dir = try TemporaryDirectory("fit-test")
        defer { dir.remove() }
        try dir.write("logs.ndjson", text)
        let fromFile = try Tools.run("fit", [dir.file("logs.ndjson"), "--grid-step", "1000"])
        let fileModels = try JSONDecoder().decode(ModelsFile.self, from: Data(fromFile.stdout.utf8))
        #expect(models.provenance.inputs.first?.sha256 == fileModels.provenance.inputs.first?.sha256)
        // Grid 128, 1128, ..., 10128 plus the measured sizes and 10240.
        let sizes = try #require(models.model("sleep-bound")).costCurve.map(\.memoryMB)
        #expect(sizes == [128, 512, 1024, 1128, 2128, 3128, 4128, 5128, 6128, 7128, 8128, 9128, 10128, 10240])
    }

    @Test func coldStartsAreCostedWithTheChosenShare() throws {
        let lines = FitRun.lines([.cpuBound()], sizes: [128, 512, 1024, 2048], perSize: 10, coldPerSize: 2)
        let observed = try FitRun.run(lines: lines)
        let none = try FitRun.run(lines: lines, ["--cold-start-share", "0"])
        defer {
            observed.dir.remove()
            none.dir.remove()
        }
        let a = try #require(observed.models?.model("cpu-bound"))
        let b = try #require(none.models?.model("cpu-bound"))
        #expect(a.coldStart?.initCurve != nil && a.coldStart?.share == 0.2)
        #expect(none.models?.options.coldStartShare == 0)
        for (p, q) in zip(a.costCurve, b.costCurve) {
            #expect(abs(q.billedMs - (q.durationMs + 0.5)) < 1e-3 * q.billedMs)  // warm only
            #expect(p.billedMs > q.billedMs)  // + 20% x Init Duration
        }
    }

    @Test func latencyBoundPicksTheCheapestFastEnoughSize() throws {
        let f = SyntheticFunction.cpuBound()  // 4 + 180·1769/min(m,1769) ms
        let run = try FitRun.run(
            lines: FitRun.lines([f], sizes: [128, 512, 1024, 1769, 3008], perSize: 30),
            ["--max-duration-ms", "500"])
        defer { run.dir.remove() }
        let rec = try #require(run.models?.model(f.name)?.recommendations?.underLatencyBound)
        // Truth: 4 + 180·1769/m <= 500 for m >= 642 MB -> 704 on the 64 MB grid.
        #expect(abs(rec.memoryMB - 704) <= 64, "\(rec.memoryMB)")
        #expect(rec.durationMs <= 500)
    }

    @Test func memoryFloorAndOOMsBoundTheRecommendation() throws {
        // Max Memory Used ~300 MB; OOM at 256 MB: the cheapest safe size is above both.
        let f = SyntheticFunction.cpuBound(name: "hungry", maxMemoryMB: 300)
        let lines = FitRun.lines([f], sizes: [256, 512, 1024, 2048], perSize: 20) { l in
            var l = l
            if l.invocation.call.memoryMB == 256 && l.invocation.call.seq % 5 == 0 {
                l.report.status = .oom
                l.report.errorType = "Runtime.OutOfMemory"
            }
            return l
        }
        let run = try FitRun.run(lines: lines)
        defer { run.dir.remove() }
        let m = try #require(run.models?.model("hungry"))
        let memory = try #require(m.memory)
        #expect(memory.oomAtMB == 256)
        let safe = try #require(memory.minimumSafeMB)
        #expect(safe > 300 && safe <= 448, "\(safe)")
        #expect(m.recommendations?.cheapest?.memoryMB == safe)
        #expect(m.observations.first { $0.memoryMB == 256 }?.ooms == 4)
    }

    @Test func sizesThatTimeOutAreNotRecommended() throws {
        // At 128 MB a fifth of the calls hit the function's timeout: 128 MB is censored data.
        let lines = FitRun.lines([.sleepBound()], sizes: [128, 256, 512, 1024], perSize: 20) { l in
            var l = l
            if l.invocation.call.memoryMB == 128 && l.invocation.call.seq % 5 == 0 { l.report.status = .timeout }
            return l
        }
        let run = try FitRun.run(lines: lines)
        defer { run.dir.remove() }
        let m = try #require(run.models?.model("sleep-bound"))
        #expect(m.recommendations?.cheapest?.memoryMB == 192)
        #expect(m.costCurve.first { $0.memoryMB == 128 }?.excluded == "timeouts")
        #expect(m.costCurve.first { $0.memoryMB == 192 }?.excluded == nil)
        #expect(m.observations.first { $0.memoryMB == 128 }?.timeouts == 4)
    }

    @Test func payloadsThatDifferGetTheirOwnModels() throws {
        let small = SyntheticFunction.cpuBound(name: "mixed", workMs: 50, maxMemoryMB: 60)
        var big = SyntheticFunction.cpuBound(name: "mixed", workMs: 400, maxMemoryMB: 200)
        big.payload = #"{"cmds":{"cpu":{"n":800000},"alloc":{"mb":140}}}"#
        var lines = FitRun.lines([small], sizes: [256, 512, 1024, 2048], perSize: 20)
        lines += FitRun.lines([big], sizes: [256, 512, 1024, 2048], perSize: 20).dropFirst()
        let run = try FitRun.run(lines: lines)
        defer { run.dir.remove() }
        let models = try #require(run.models)
        #expect(models.functions.map(\.payloadGroup) == ["all", "payload 0", "payload 1"])
        let heavy = try #require(models.model("mixed", group: "payload 1"))
        #expect(abs((heavy.runtime?.parameters["b"] ?? 0) - 400) < 20)
        let memory = try #require(models.model("mixed")?.memory)
        #expect(memory.predictors.contains("cmds.cpu.n"))
        #expect(memory.minimumSafeMB.map { $0 >= 256 } == true)
    }

    @Test func pricesFileEqualsTheBuiltInTable() throws {
        let table = try PriceTable.load(path: PackageRoot.path + "/data/prices.json")
        #expect(table == PriceTable.builtIn)
        let arm = try table.pricing(region: "us-east-1", architecture: "arm64", origin: "data/prices.json")
        #expect(arm.gbSecondUSD == 0.0000133334 && arm.requestUSD == 0.0000002 && arm.billingGranularityMs == 1)
    }

    @Test func selftestPasses() throws {
        let r = try Tools.run("fit", ["--selftest"])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("selftest: passed"))
    }
}
