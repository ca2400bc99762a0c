import Foundation
import SeededRandom
import TestSupport
import Testing
import ToolSupport

@testable import Planning

/// Whatever the bytes, the parser answers with a workload or one InputError, never a crash.
@Suite struct ParserRobustnessTests {
    @Test func mutatedWorkloadsNeverCrash() throws {
        let original = Array(try Data(contentsOf: URL(fileURLWithPath: PackageRoot.path + "/data/faasprofiler-chameleon.json")))
        let parser = WorkloadParser(file: "m.json", baseDirectory: PackageRoot.path + "/data")
        var rng = Xoshiro256StarStar(state: (11, 22, 33, 44))
        let alphabet = Array(#"{}[],:"\-0123456789.eE truefalsn"#.utf8) + [0x0A, 0x00, 0xFF]
        var accepted = 0
        var rejected = 0
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0...(rng.next() % 4) {
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                }
            }
            do {
                let w = try parser.parse(bytes)
                _ = Schedule(workload: w, workloadSHA256: "", generator: .rightsize).callsPerPhase()
                accepted += 1
            } catch let e as InputError {
                #expect(e.line != nil && e.field != nil, "\(e)")
                rejected += 1
            }
        }
        #expect(accepted > 0 && rejected > 0)
    }

    @Test func deepNestingIsAnErrorNotAStackOverflow() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: InputError.self) { try WorkloadParser(file: "d.json", baseDirectory: "").parse(Array(deep.utf8)) }
    }
}
