import Testing
@testable import Records

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
            label = s(f.label); instance = s(f.instance); payload = s(f.payload)
            memoryMB = f.memoryMB; phase = f.phase; reportMemoryMB = f.reportMemoryMB; atS = f.atS
            durationMs = f.durationMs; billedMs = f.billedMs; initMs = f.initMs; maxMemoryMB = f.maxMemoryMB
            status = f.status; error = f.error; httpStatus = f.httpStatus
        }
    }

    @Test func agreesWithTheFullDecoder() throws {
        for record in [Record.log(Samples.log), .invocation(Samples.invocation)] {
            let line = encode(record)
            let (kind, fast) = try #require(project(line))
            let slow: Summary
            switch try decode(line) {
            case .log(let l): #expect(kind == .log); slow = CallFacts.with(l.invocation, l.report) { Summary($0) }
            case .invocation(let i): #expect(kind == .invocation); slow = CallFacts.with(i, nil) { Summary($0) }
            default: Issue.record("unexpected kind"); return
            }
            // A non-log line has no REPORT: both leave those fields NaN, which never compares equal.
            var (a, b) = (fast, slow)
            if kind == .invocation { a.durationMs = 0; a.billedMs = 0; b.durationMs = 0; b.billedMs = 0 }
            #expect(a == b)
        }
    }

    @Test(arguments: [
        (#""max_memory_mb":75"#, #""max_memory_mb":-1"#),          // invalid value
        (#""memory_mb":256"#, #""memory_mb":20000"#),               // out of range
        (#""function":"faas_measure""#, #""function":"faas\u005fmeasure""#), // escapes: full decoder
        (#""duration_ms":26.73"#, #""duration_ms":"26.73""#),       // wrong type
        (#""phase":1,"#, ""),                                        // missing
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
            log.replacingOccurrences(of: #""phase":"#, with: #""phase" : "#),                 // spaces around the colon
            log.replacingOccurrences(of: #""memory_mb":"#, with: #""memory_mb_x":1,"memory_mb":"#), // a key inserted
            log.replacingOccurrences(of: #""duration_ms":"#, with: #""duration_mx":"#),        // same length, other key
            invocation, log,
            String(log.replacingOccurrences(of: #""record":"log","#, with: "").dropLast()) + #","record":"log"}"#, // reordered
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
            a?.durationMs = 0; a?.billedMs = 0; a?.atS = 0; b?.durationMs = 0; b?.billedMs = 0; b?.atS = 0
            #expect(shared?.0 == fresh?.0 && a == b, "line \(n + 1): \(line)")
        }
        #expect(!keys.entries.isEmpty)
    }
}
