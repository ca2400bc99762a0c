import Foundation
import JSON
import TestSupport
import Testing

@testable import RecordSchema

/// The closed-loop and response-field keys of schedule, invocation and log lines.
@Suite struct ExperimentFieldsTests {
    static var loopCall: ScheduledCall {
        var c = Samples.call
        c.loop = LoopPosition(concurrency: 8, step: 2, order: 17, idleS: 7.5)
        c.cold = true
        c.responseFields = ["/stat/inst_id", "/cpuUserDelta"]
        return c
    }

    static var loopInvocation: Invocation {
        var i = Samples.invocation
        i.call = loopCall
        i.slot = 3
        i.lagMs = nil
        i.responseValues = [
            ResponseValue(pointer: "/stat/inst_id", value: RawJSON(validated: "\"e1\"")),
            ResponseValue(pointer: "/cpuUserDelta", value: .null),
        ]
        return i
    }

    func roundTrip(_ record: Record) throws -> Record {
        var w = JSONWriter()
        record.write(to: &w)
        return try w.bytes.withUnsafeBufferPointer { try Record.decode($0) }
    }

    @Test func loopFieldsRoundTrip() throws {
        #expect(try roundTrip(.schedule(Self.loopCall)) == .schedule(Self.loopCall))
        #expect(try roundTrip(.invocation(Self.loopInvocation)) == .invocation(Self.loopInvocation))
        var log = Samples.log
        log.invocation = Self.loopInvocation
        #expect(try roundTrip(.log(log)) == .log(log))
    }

    @Test func aSlotOutsideItsLoopIsRefused() throws {
        var i = Self.loopInvocation
        i.slot = 8
        var w = JSONWriter()
        Record.invocation(i).write(to: &w)
        #expect(throws: FieldFailure.self) { try w.bytes.withUnsafeBufferPointer { try Record.decode($0) } }
    }

    @Test func partialLoopPositionIsRefused() throws {
        var w = JSONWriter()
        Record.schedule(Samples.call).write(to: &w)
        var text = w.text
        text.removeLast(2)  // "}\n"
        text += #","loop_concurrency":4}"#
        #expect(throws: FieldFailure.self) { try Array(text.utf8).withUnsafeBufferPointer { try Record.decode($0) } }
    }
}
