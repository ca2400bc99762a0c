import ArgumentParser
import LogCollection
import Records

/// `rightsize-bench logs`: REPORT parse rate (target >= 1,000,000 lines/s in release).
struct LogsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "REPORT line parse rate on a synthetic mix of every variant.")

    @Option(help: "Synthetic REPORT lines to parse per round.")
    var lines: Int = 1_000_000

    @Option(help: "Rounds (the best is reported).")
    var rounds: Int = 5

    func run() throws {
        let corpus = SyntheticReports.make(count: lines)
        var best = Double.infinity
        var parsed = 0
        for _ in 0..<rounds {
            let clock = ContinuousClock()
            var ok = 0
            let t = clock.measure {
                corpus.bytes.withUnsafeBufferPointer { all in
                    for k in 0..<corpus.offsets.count - 1 {
                        let line = UnsafeBufferPointer(rebasing: all[corpus.offsets[k]..<corpus.offsets[k + 1]])
                        if case .report = ReportLineParser.parse(line) { ok += 1 }
                    }
                }
            }
            parsed = ok
            best = min(best, Double(t.components.seconds) + Double(t.components.attoseconds) * 1e-18)
        }
        let rate = Double(lines) / best
        print("logs parse: \(lines) REPORT lines (\(corpus.bytes.count / max(lines, 1)) bytes avg, variant mix), \(parsed) parsed")
        print("logs parse: best of \(rounds): \(String(format3(best))) s = \(Int(rate)) lines/s (target >= 1000000) \(rate >= 1_000_000 ? "PASS" : "BELOW TARGET")")
    }

    func format3(_ x: Double) -> String { String(Double(Int((x * 1000).rounded())) / 1000) }
}

/// A reproducible mix of REPORT variants (DESIGN.md §4), one message per line.
enum SyntheticReports {
    struct Corpus { var bytes: [UInt8]; var offsets: [Int] }

    static func make(count: Int) -> Corpus {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * 190)
        var offsets = [0]
        offsets.reserveCapacity(count + 1)
        var state: UInt64 = 42
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        for k in 0..<count {
            let id = "\(hex(next(), 8))-\(hex(next(), 4))-4\(hex(next(), 3))-a\(hex(next(), 3))-\(hex(next(), 12))"
            let d = Double(next() % 500_000) / 100
            let billed = Int(d.rounded(.up))
            let mem = [128, 256, 512, 1024, 1769, 3008][k % 6]
            let used = 40 + Int(next() % 80)
            let line: String
            switch k % 10 {
            case 0: line = "REPORT RequestId: \(id)\tDuration: \(d) ms\tBilled Duration: \(billed) ms\tMemory Size: \(mem) MB\tMax Memory Used: \(used) MB\tInit Duration: \(Double(next() % 90_000) / 100) ms\t"
            case 1: line = "REPORT RequestId: \(id)\tDuration: \(d) ms\tBilled Duration: \(billed) ms \tMemory Size: \(mem) MB\tMax Memory Used: \(used) MB\t"
            case 2: line = "REPORT RequestId: \(id)\tDuration: \(d) ms\tBilled Duration: \(billed) ms\tMemory Size: \(mem) MB\tMax Memory Used: \(used) MB\tRestore Duration: 398.97 ms\tBilled Restore Duration: 182 ms\t"
            case 3: line = "REPORT RequestId: \(id)\tDuration: \(d) ms\tBilled Duration: \(billed) ms\tMemory Size: \(mem) MB\tMax Memory Used: \(used) MB\t\nXRAY TraceId: 1-5e61292c-\(hex(next(), 24))\tSegmentId: \(hex(next(), 16))\tSampled: true\t"
            case 4: line = "REPORT RequestId: \(id)\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: \(mem) MB\tMax Memory Used: \(used) MB\tStatus: timeout"
            case 5: line = "REPORT RequestId: \(id)\tDuration: \(d) ms\tBilled Duration: \(billed) ms\tMemory Size: \(mem) MB\tMax Memory Used: \(mem) MB\tStatus: error\tError Type: Runtime.OutOfMemory"
            case 6: line = "REPORT RequestId: \(id) Duration: \(d) ms  Billed Duration: \(billed) ms Memory Size: \(mem) MB Max Memory Used: \(used) MB"
            case 7: line = #"{"time":"2024-02-09T08:42:44.080Z","type":"platform.report","record":{"requestId":"\#(id)","status":"success","metrics":{"durationMs":\#(d),"billedDurationMs":\#(billed),"memorySizeMB":\#(mem),"maxMemoryUsedMB":\#(used)}}}"#
            default: line = "REPORT RequestId: \(id)\tDuration: \(d) ms\tBilled Duration: \(billed) ms\tMemory Size: \(mem) MB\tMax Memory Used: \(used) MB\t"
            }
            bytes.append(contentsOf: line.utf8)
            offsets.append(bytes.count)
        }
        return Corpus(bytes: bytes, offsets: offsets)
    }

    static func hex(_ v: UInt64, _ digits: Int) -> String {
        let s = String(v, radix: 16)
        let padded = String(repeating: "0", count: max(0, digits - s.count)) + s
        return String(padded.suffix(digits))
    }
}
