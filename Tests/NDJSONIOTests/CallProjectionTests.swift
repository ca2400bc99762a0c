import RecordSchema
import SeededRandom
import TestSupport
import Testing

@testable import NDJSONIO

/// The projection (fit's and report's fast path) must agree with the full decoder on every
/// field it reads, and decline any line it cannot vouch for.
@Suite struct CallProjectionTests {
    func project(_ line: String, calls: Bool = true) -> (CallProjection.Kind, Summary)? {
        var copy = line
        return copy.withUTF8 { buf in CallProjection.scan(buf, calls: calls).map { ($0.0, Summary($0.1)) } }
    }

    /// The facts as plain values (the projection's byte views die with the line).
    struct Summary: Equatable {
        var label, instance, payload: String?
        var memoryMB, phase, reportMemoryMB: Int
        var atS, durationMs, billedMs: Double
        var initMs: Double?, maxMemoryMB: Int?, status: ReportStatus?, error: CallError?, httpStatus: Int?
        init(_ f: CallFacts) {
            func s(_ b: UnsafeBufferPointer<UInt8>?) -> String? { b.map { String(decoding: $0, as: UTF8.self) } }
            label = s(f.label)
            instance = s(f.instance)
            payload = s(f.payload)
            memoryMB = f.memoryMB
            phase = f.phase
            reportMemoryMB = f.reportMemoryMB
            atS = f.atS
            durationMs = f.durationMs
            billedMs = f.billedMs
            initMs = f.initMs
            maxMemoryMB = f.maxMemoryMB
            status = f.status
            error = f.error
            httpStatus = f.httpStatus
        }
    }

    @Test func agreesWithTheFullDecoder() throws {
        for record in [Record.log(Samples.log), .invocation(Samples.invocation)] {
            let line = encode(record)
            let (kind, fast) = try #require(project(line))
            let slow: Summary
            switch try decode(line) {
            case .log(let l):
                #expect(kind == .log)
                slow = CallFacts.with(l.invocation, l.report) { Summary($0) }
            case .invocation(let i):
                #expect(kind == .invocation)
                slow = CallFacts.with(i, nil) { Summary($0) }
            default:
                Issue.record("unexpected kind")
                return
            }
            // A non-log line has no REPORT: both leave those fields NaN, which never compares equal.
            var (a, b) = (fast, slow)
            if kind == .invocation {
                a.durationMs = 0
                a.billedMs = 0
                b.durationMs = 0
                b.billedMs = 0
            }
            #expect(a == b)
        }
    }

    @Test(arguments: [
        (#""max_memory_mb":75"#, #""max_memory_mb":-1"#),  // invalid value
        (#""memory_mb":256"#, #""memory_mb":20000"#),  // out of range
        (#""function":"faas_measure""#, #""function":"faas\u005fmeasure""#),  // escapes: full decoder
        (#""duration_ms":26.73"#, #""duration_ms":"26.73""#),  // wrong type
        (#""phase":1,"#, ""),  // missing
    ])
    func declinesWhatItCannotVouchFor(_ edit: (String, String)) {
        let line = encode(.log(Samples.log))
        #expect(line.contains(edit.0))
        #expect(project(line.replacingOccurrences(of: edit.0, with: edit.1)) == nil)
    }

    @Test func otherKindsAreLeftToTheDecoder() {
        #expect(project(encode(.run(Samples.header))) == nil)
        #expect(project(encode(.schedule(Samples.call))) == nil)
    }

    /// One KeyLayout carried across lines that change their keys: every line must read as it
    /// would on its own (the layout only saves work, it never decides a value).
    @Test func aSharedKeyLayoutReadsEveryLineAsAFreshOne() {
        let log = encode(.log(Samples.log))
        let invocation = encode(.invocation(Samples.invocation))
        let lines = [
            log, log,
            log.replacingOccurrences(of: #""phase":"#, with: #""phase" : "#),  // spaces around the colon
            log.replacingOccurrences(of: #""memory_mb":"#, with: #""memory_mb_x":1,"memory_mb":"#),  // a key inserted
            log.replacingOccurrences(of: #""duration_ms":"#, with: #""duration_mx":"#),  // same length, other key
            invocation, log,
            String(log.replacingOccurrences(of: #""record":"log","#, with: "").dropLast()) + #","record":"log"}"#,  // reordered
            log, #"{"record":"log"}"#, log,
        ]
        var keys = CallProjection.KeyLayout()
        for (n, line) in lines.enumerated() {
            var copy = line
            let shared = copy.withUTF8 { CallProjection.scan($0, calls: true, keys: &keys).map { ($0.0, Summary($0.1)) } }
            let fresh = project(line)
            // NaN (no REPORT on an invocation line) never compares equal: compare its bits.
            func bits(_ s: Summary?) -> [UInt64] { [s?.durationMs.bitPattern ?? 0, s?.billedMs.bitPattern ?? 0, s?.atS.bitPattern ?? 0] }
            var (a, b) = (shared?.1, fresh?.1)
            #expect(bits(a) == bits(b))
            a?.durationMs = 0
            a?.billedMs = 0
            a?.atS = 0
            b?.durationMs = 0
            b?.billedMs = 0
            b?.atS = 0
            #expect(shared?.0 == fresh?.0 && a == b, "line \(n + 1): \(line)")
        }
        #expect(!keys.entries.isEmpty)
    }

    /// Randomly damaged lines (bytes deleted, inserted, replaced) between intact ones: with a
    /// shared layout each must still read exactly as on its own, or be declined the same way.
    @Test func damagedLinesReadTheSameWithASharedLayout() {
        let lines = [encode(.log(Samples.log)), encode(.invocation(Samples.invocation))].map { Array($0.utf8) }
        var rng = SplitMix64(seed: 11)
        let alphabet = Array(#"{}[]":,0123456789.-e "abcdefghijklmnopqrstuvwxyz_"#.utf8)
        var keys = CallProjection.KeyLayout()
        var accepted = 0
        for round in 0..<4000 {
            var line = lines[round % 2]
            if round % 3 != 0 {
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    let at = Int(rng.next() % UInt64(line.count))
                    let byte = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                    switch rng.next() % 3 {
                    case 0: line.remove(at: at)
                    case 1: line.insert(byte, at: at)
                    default: line[at] = byte
                    }
                }
            }
            let shared = line.withUnsafeBufferPointer { CallProjection.scan($0, calls: true, keys: &keys) }
            let fresh = line.withUnsafeBufferPointer { CallProjection.scan($0, calls: true) }
            #expect((shared == nil) == (fresh == nil), "round \(round): \(String(decoding: line, as: UTF8.self))")
            guard let shared, let fresh else { continue }
            accepted += 1
            let (a, b) = (Summary(shared.1), Summary(fresh.1))
            #expect(shared.0 == fresh.0)
            #expect(
                a.label == b.label && a.payload == b.payload && a.instance == b.instance && a.memoryMB == b.memoryMB
                    && a.phase == b.phase && a.status == b.status && a.initMs == b.initMs && a.maxMemoryMB == b.maxMemoryMB
                    && a.durationMs.bitPattern == b.durationMs.bitPattern && a.atS.bitPattern == b.atS.bitPattern,
                "round \(round): \(String(decoding: line, as: UTF8.self))")
        }
        #expect(accepted > 1400)  // the intact third, and damage in skipped values
    }
}
