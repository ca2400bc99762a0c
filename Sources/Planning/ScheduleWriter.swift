import Records

/// Writes schedule.ndjson fast: the header record, then one line per call.
///
/// A schedule line only varies in `seq`, `at_s`, the phase and the instance's payload, so
/// each line is assembled from byte fragments cut once out of `Record.write`'s own output
/// (so the two can never disagree) plus the two numbers, into one reusable buffer.
public enum ScheduleWriter {
    /// Writes `schedule` to `output` and returns the number of calls written.
    @discardableResult
    public static func write(_ schedule: Schedule, to output: inout OutputFile) throws -> Int {
        let perPhase = schedule.callsPerPhase()
        let total = perPhase * schedule.workload.memorySizes.count
        var header = JSONWriter(capacity: 4096)
        Record.run(schedule.header(scheduled: total)).write(to: &header)
        try output.write(header.bytes)

        let encoder = ScheduleLineEncoder(schedule: schedule)
        var buffer: [UInt8] = []
        let flushAt = 1 << 20
        buffer.reserveCapacity(flushAt + 4096)
        var cursor = schedule.makeCursor()
        var written = 0
        while let call = cursor.next() {
            encoder.append(call, to: &buffer)
            written += 1
            if buffer.count >= flushAt {
                try output.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try output.write(buffer)
        precondition(written == total, "counting pass and merge disagree: \(total) vs \(written)")
        return written
    }
}

/// Encodes schedule lines byte-identical to `Record.schedule(...).write(to:)`.
public struct ScheduleLineEncoder {
    /// `{"record":"schedule","run":"...","seq":`
    let prefix: [UInt8]
    /// Per phase, per instance: `,"phase":P,...,"instance":"...","application":"...","at_s":`
    let middles: [[[UInt8]]]
    /// Per instance, per payload index: `,"target":{...},"payload":...,"payload_index":K,"seed":S}\n`
    let suffixes: [[[UInt8]]]

    public init(schedule: Schedule) {
        var prefix: [UInt8] = []
        var middles: [[[UInt8]]] = []
        var suffixes: [[[UInt8]]] = []
        for phase in schedule.workload.memorySizes.indices {
            var row: [[UInt8]] = []
            for i in schedule.workload.instances.indices {
                let parts = Self.fragments(of: schedule.call(instance: i, phase: phase, seq: 0, atS: 0, payloadIndex: 0))
                prefix = parts.prefix
                row.append(parts.middle)
                if phase == 0 {
                    suffixes.append(schedule.workload.instances[i].payloads.indices.map { p in
                        Self.fragments(of: schedule.call(instance: i, phase: 0, seq: 0, atS: 0, payloadIndex: p)).suffix
                    })
                }
            }
            middles.append(row)
        }
        self.prefix = prefix
        self.middles = middles
        self.suffixes = suffixes
    }

    /// Splits a rendered line around its `seq` and `at_s` values. `,"` cannot occur inside a
    /// JSON string (quotes are escaped there), and `at_s` and `target` precede the payload,
    /// so the first occurrence of each marker is the record's own key.
    static func fragments(of call: ScheduledCall) -> (prefix: [UInt8], middle: [UInt8], suffix: [UInt8]) {
        var w = JSONWriter(capacity: 512)
        Record.schedule(call).write(to: &w)
        let line = w.bytes
        let seqValue = end(of: ",\"seq\":", in: line, from: 0)
        let phaseKey = start(of: ",\"phase\":", in: line, from: seqValue)
        let atValue = end(of: ",\"at_s\":", in: line, from: phaseKey)
        let targetKey = start(of: ",\"target\":", in: line, from: atValue)
        return (Array(line[..<seqValue]), Array(line[phaseKey..<atValue]), Array(line[targetKey...]))
    }

    static func start(of marker: String, in line: [UInt8], from: Int) -> Int {
        let m = Array(marker.utf8)
        var i = from
        while i + m.count <= line.count {
            if line[i] == m[0], line[i..<(i + m.count)].elementsEqual(m) { return i }
            i += 1
        }
        preconditionFailure("schedule record has no \(marker)")
    }

    static func end(of marker: String, in line: [UInt8], from: Int) -> Int {
        start(of: marker, in: line, from: from) + marker.utf8.count
    }

    /// Appends one call's line (with its newline) to `buffer`.
    @inline(__always)
    public func append(_ call: CallCursor.Call, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: prefix)
        Self.appendInteger(UInt64(call.seq), to: &buffer)
        buffer.append(contentsOf: middles[call.phase][call.instance])
        Self.appendNumber(call.atS, to: &buffer)
        buffer.append(contentsOf: suffixes[call.instance][call.payloadIndex])
    }

    @inline(__always)
    static func appendInteger(_ value: UInt64, to buffer: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: enough for 20 digits
        var v = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[23 - count] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30
                v /= 10
                count += 1
            } while v > 0
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[(24 - count)...]))
        }
    }

    /// Same text as `JSONWriter.number`: integral values below 1e15 as integers, others in
    /// Swift's shortest round-trip form.
    @inline(__always)
    static func appendNumber(_ d: Double, to buffer: inout [UInt8]) {
        if d == d.rounded(.towardZero), abs(d) < 1e15 {
            if d < 0 { buffer.append(UInt8(ascii: "-")) }
            appendInteger(UInt64(abs(d)), to: &buffer)
        } else {
            var text = d.description
            text.withUTF8 { buffer.append(contentsOf: $0) }
        }
    }
}
