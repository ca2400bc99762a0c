import Foundation
import JSON
import TestSupport
import Testing
import ToolSupport

@testable import RecordSchema

/// A merged sharded run's summary (the `shards` list round-trips too).
enum ShardedSample {
    static var summary: InvokeSummary {
        var s = InvokeSummary(
            scheduled: 4, sent: 4, notSent: 0, interrupted: false, startedUnixMs: 1, endedUnixMs: 2, outcomes: ["ok": 4])
        s.shards = [
            ShardInfo(index: 0, count: 2, host: "a", startAtUnixMs: 1000.5, scheduled: 2, sent: 2),
            ShardInfo(index: 1, count: 2, host: "b", startAtUnixMs: 1000.5, scheduled: 2, sent: 2),
        ]
        return s
    }
}

@Suite struct RecordRoundTripTests {
    @Test(arguments: [
        Record.run(Samples.header),
        .schedule(Samples.call),
        .schedule(Samples.httpCall),
        .invocation(Samples.invocation),
        .invocation(Invocation(call: Samples.call, phaseStartUnixMs: 5, error: .notSent, attempts: 0)),
        .log(Samples.log),
        .invokeSummary(
            InvokeSummary(
                scheduled: 3, sent: 2, notSent: 1, interrupted: true, startedUnixMs: 1, endedUnixMs: 2,
                outcomes: ["ok": 2, "not_sent": 1])),
        .invokeSummary(ShardedSample.summary),
        .logWait(
            LogWaitSummary(
                function: "f", logGroup: "/aws/lambda/f", expected: 3, found: 2, timedOut: true, unmatched: 1,
                unparseable: 0, waitedS: 12.5, apiCalls: 4)),
    ])
    func roundTrip(_ record: Record) throws {
        let line = encode(record)
        #expect(line.hasSuffix("}\n"))
        #expect(line.hasPrefix("{\"record\":\"\(record.kind)\""))
        #expect(try decode(line) == record)
        // Valid JSON for any other reader, too.
        #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil)
    }

    @Test func payloadIsKeptAsGivenButCompact() {
        #expect(Samples.call.payload.text == #"{"cmds":{"cpu":{"n":10000}},"s":"a\"b"}"#)
    }

    @Test func recordKeyMayComeAnywhere() throws {
        let line = encode(.schedule(Samples.call)).replacingOccurrences(of: #""record":"schedule","#, with: "")
            .replacingOccurrences(of: "}\n", with: #","record":"schedule"}"#)
        // The last "}" belongs to the object; make sure the payload's braces are intact.
        #expect(try decode(line) == .schedule(Samples.call))
    }

    @Test func numbersAreDeterministic() {
        var w = JSONWriter()
        w.beginArray()
        w.number(0.1)
        w.number(3.0)
        w.number(-2.5e-7)
        w.number(Double.nan)
        w.number(1e20)
        w.endArray()
        #expect(w.text == "[0.1,3,-2.5e-07,null,1e+20]")
    }

    @Test func stringsAreEscaped() throws {
        var w = JSONWriter()
        w.string("<tab>\t\"quote\"\\ \u{1}é")
        #expect(w.text == #""<tab>\t\"quote\"\\ \u0001é""#)
    }
}

@Suite struct RecordErrorTests {
    func failure(_ line: String) -> FieldFailure? {
        do {
            _ = try decode(line)
            return nil
        } catch let f as FieldFailure { return f } catch { return nil }
    }

    @Test func namesTheField() throws {
        var line = encode(.schedule(Samples.call))
        line = line.replacingOccurrences(of: #""at_s":1.25"#, with: #""at_s":"soon""#)
        let f = try #require(failure(line))
        #expect(f.field == "at_s")
        #expect(f.problem.contains("number"))
    }

    @Test func missingRequiredField() throws {
        let line = encode(.schedule(Samples.call)).replacingOccurrences(of: #""seq":7,"#, with: "")
        #expect(failure(line)?.field == "seq")
    }

    @Test func unknownKind() {
        #expect(failure(#"{"record":"nope"}"#)?.field == "record")
        #expect(failure(#"{"seq":1}"#)?.field == "record")
    }

    @Test func notJSON() throws {
        #expect(failure("hello") != nil)
        #expect(failure(#"{"record":"schedule","#) != nil)
        #expect(failure(#"[1,2]"#) != nil)
    }

    @Test func duplicateKeysAreRejected() throws {
        let f = try #require(failure(#"{"record":"log_wait","function":"a","function":"b"}"#))
        #expect(f.problem.contains("duplicate"))
    }

    @Test func badEnumValues() {
        let bad = encode(.log(Samples.log)).replacingOccurrences(of: #""status":"success""#, with: #""status":"fine""#)
        #expect(failure(bad)?.field == "status")
        let badTarget = encode(.schedule(Samples.call)).replacingOccurrences(of: #""kind":"lambda""#, with: #""kind":"ftp""#)
        #expect(failure(badTarget)?.field == "target.kind")
    }

    @Test func errorLineFormat() {
        #expect(
            InputError(file: "w.json", line: 3, field: "rate", problem: "must be a number").description
                == "w.json:3: rate: must be a number")
        #expect(InputError(file: "w.json", problem: "cannot open").description == "w.json: cannot open")
    }
}

@Suite struct HostileInputTests {
    /// A deeply nested payload is an error, not a stack overflow.
    @Test func deepNestingIsRejected() throws {
        let deep = String(repeating: "[", count: 1_000_000) + String(repeating: "]", count: 1_000_000)
        let line = encode(.schedule(Samples.call)).replacingOccurrences(of: Samples.call.payload.text, with: deep)
        #expect(throws: FieldFailure.self) { _ = try decode(line) }
        let shallow = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        _ = try decode(encode(.schedule(Samples.call)).replacingOccurrences(of: Samples.call.payload.text, with: shallow))
    }
}
