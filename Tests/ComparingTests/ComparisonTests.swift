import Comparing
import Foundation
import History
import SyntheticData
import TestSupport
import Testing

/// The comparison on seeded fixtures with the emulator's physics (SyntheticLogs): a known truth.
@Suite struct ComparisonTests {
    static let sizes = [128, 256, 512, 1024, 1769]
    static let functions = [SyntheticFunction.cpuBound(), SyntheticFunction.sleepBound()]

    /// The same function with every call `factor` times as long (the emulator's `work_scale`).
    static func scaled(_ f: SyntheticFunction, _ factor: Double) -> SyntheticFunction {
        let d = f.duration
        return SyntheticFunction(
            name: f.name, payload: f.payload, duration: { factor * d($0) }, initDuration: f.initDuration,
            maxMemoryMB: f.maxMemoryMB, noise: f.noise)
    }

    static func run(_ functions: [SyntheticFunction], seed: UInt64, perSize: Int, in dir: TemporaryDirectory) throws -> RunSnapshot {
        let folder = try RunFolders.synthetic(functions, sizes: sizes, perSize: perSize, seed: seed, folder: dir.file("run-\(seed)"))
        return try RunFolder.load(folder)
    }

    @Test func twentyPercentSlowerIsSlowerWithItsInterval() throws {
        let dir = try TemporaryDirectory("compare")
        defer { dir.remove() }
        let a = try Self.run(Self.functions, seed: 1, perSize: 60, in: dir)
        let b = try Self.run(Self.functions.map { Self.scaled($0, 1.2) }, seed: 2, perSize: 60, in: dir)
        let c = Comparison.compare(baseline: a, candidate: b)
        print(c.text)
        #expect(c.rows.count == 10)
        for r in c.rows {
            #expect(r.durationVerdict == .slower, "\(r.function) \(r.memoryMB) MB: \(r.durationVerdict)")
            let lo = try #require(r.durationCILoPct)
            let hi = try #require(r.durationCIHiPct)
            let point = try #require(r.durationDiffPct)
            #expect(lo > 10 && hi < 30 && (15...25).contains(point), "\(r.function) \(r.memoryMB) MB: \(point) [\(lo), \(hi)]")
            #expect(r.costVerdict == .costlier || r.costVerdict == .noChange)
        }
        #expect(c.has([.slower]))
        #expect(!c.has([.faster]))
        // And the other way round: faster.
        let back = Comparison.compare(baseline: b, candidate: a)
        #expect(back.rows.allSatisfy { $0.durationVerdict == .faster })
    }

    @Test func noChangeIsNoSignificantChangeInAtLeast19Of20Repetitions() throws {
        let dir = try TemporaryDirectory("compare")
        defer { dir.remove() }
        var unchanged = 0
        var rowsFlagged = 0
        for k in 0..<20 {
            let a = try Self.run(Self.functions, seed: UInt64(1000 + 2 * k), perSize: 40, in: dir)
            let b = try Self.run(Self.functions, seed: UInt64(1001 + 2 * k), perSize: 40, in: dir)
            var settings = CompareSettings()
            settings.bootstrap = 1000
            let c = Comparison.compare(baseline: a, candidate: b, settings: settings)
            let flagged = c.rows.filter { $0.durationVerdict != .noChange }.count
            rowsFlagged += flagged
            if flagged == 0 { unchanged += 1 }
        }
        print("no change: \"no significant change\" in \(unchanged) of 20 repetitions (\(rowsFlagged) of 200 rows flagged)")
        #expect(unchanged >= 19)
    }

    @Test func aSmallCertainDriftIsBelowTheMinimumEffect() throws {
        let dir = try TemporaryDirectory("compare")
        defer { dir.remove() }
        let f = [SyntheticFunction.sleepBound()]
        let a = try Self.run(f, seed: 5, perSize: 400, in: dir)
        let b = try Self.run(f.map { Self.scaled($0, 1.02) }, seed: 6, perSize: 400, in: dir)
        let c = Comparison.compare(baseline: a, candidate: b)
        // Sleep-bound calls vary by 2%: a 2% drift is certain (the interval excludes 0) but below 5%.
        #expect(c.rows.allSatisfy { ($0.durationCILoPct ?? 0) > 0 && $0.durationVerdict == .noChange })
        var strict = CompareSettings()
        strict.minEffectPct = 0
        #expect(Comparison.compare(baseline: a, candidate: b, settings: strict).rows.allSatisfy { $0.durationVerdict == .slower })
    }

    @Test func theBootstrapIsSeededAndRowsMissingOnOneSideAreListed() throws {
        let dir = try TemporaryDirectory("compare")
        defer { dir.remove() }
        let a = try Self.run(Self.functions, seed: 7, perSize: 30, in: dir)
        let other = try RunFolders.synthetic(Self.functions, sizes: [128, 256, 2048], perSize: 30, seed: 8, folder: dir.file("other"))
        let b = try RunFolder.load(other)
        let c1 = Comparison.compare(baseline: a, candidate: b)
        let c2 = Comparison.compare(baseline: a, candidate: b)
        #expect(c1.json == c2.json)
        #expect(c1.rows.map(\.memoryMB) == [128, 256, 128, 256])
        #expect(c1.onlyInBaseline.count == 6)
        #expect(c1.onlyInCandidate.map(\.memoryMB) == [2048, 2048])
        #expect(c1.text.contains("only in the candidate: cpu-bound at 2048 MB"))
    }
}
