import Foundation
import NDJSONIO
import RecordSchema
import SyntheticData
import TestSupport
import Testing

/// Known-truth generators: the same options give the same bytes, and the records are ones
/// the stages accept.
@Suite struct SyntheticDataTests {
    @Test func logsAreSeededAndFollowThePhysics() {
        func generate() -> [Record] {
            var out: [Record] = []
            SyntheticLogs.generate([.cpuBound()], memorySizes: [128, 1024], perSize: 20, seed: 5) { out.append($0) }
            return out
        }
        let first = generate()
        #expect(first == generate())
        let logs = first.compactMap { if case .log(let l) = $0 { l } else { nil } }
        #expect(logs.count == 40)
        func mean(_ m: Int) -> Double {
            let d = logs.filter { $0.report.memoryMB == m }.map(\.report.durationMs)
            return d.reduce(0, +) / Double(d.count)
        }
        #expect(mean(128) > 4 * mean(1024))  // CPU share grows with memory
    }

    @Test func runFilesAreByteReproducible() throws {
        let a = try TemporaryDirectory()
        let b = try TemporaryDirectory()
        defer {
            a.remove()
            b.remove()
        }
        var run = SyntheticRun()
        run.callsPerSize = 10
        let pa = try run.write(to: a.path)
        let pb = try run.write(to: b.path)
        for (x, y) in [(pa.models, pb.models), (pa.logs, pb.logs), (pa.invocations, pb.invocations)] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: x)) == Data(contentsOf: URL(fileURLWithPath: y)))
        }
    }
}
