import JSON
import NDJSONIO
import RecordSchema

/// Writes schedule.ndjson fast: the header record, then one line per call.
///
/// A schedule line only varies in `seq`, `at_s`, the phase and the instance's payload, so
/// each line is assembled from byte fragments cut once out of `Record.write`'s own output
/// (so the two can never disagree) plus the two numbers. Lines are encoded in batches
/// straight into the storage of one reused ~1 MB array, which is handed to the output.
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
        var cursor = schedule.makeCursor()
        var batch = LineBatch(lineCapacity: encoder.maximumLineLength)
        var written = 0
        while true {
            let lines = batch.fill { sink in
                var n = 0
                while sink.hasRoom, let call = cursor.next() {
                    encoder.append(call, to: &sink)
                    n += 1
                }
                return n
            }
            if lines == 0 { break }
            written += lines
            try output.write(batch.bytes)
        }
        precondition(written == total, "counting pass and merge disagree: \(total) vs \(written)")
        return written
    }
}

/// A reusable array of ~1 MB that lines are encoded into through a raw pointer, so the
/// hot loop does no reference counting, uniqueness checks or capacity checks per append.
public struct LineBatch {
    public private(set) var bytes: [UInt8] = []
    let target: Int
    let capacity: Int

    /// `lineCapacity`: the longest line that can be appended (checked by `LineSink.hasRoom`).
    public init(lineCapacity: Int, target: Int = 1 << 20) {
        self.target = target
        self.capacity = target + lineCapacity
    }

    /// Empties the batch and lets `body` append lines while `sink.hasRoom`; `bytes` then holds them.
    public mutating func fill<R>(_ body: (inout LineSink) throws -> R) rethrows -> R {
        if bytes.count < capacity { bytes.append(contentsOf: repeatElement(0, count: capacity - bytes.count)) }
        let target = self.target
        let capacity = self.capacity
        var used = 0
        let result = try bytes.withUnsafeMutableBufferPointer { buffer -> R in
            var sink = LineSink(base: buffer.baseAddress!, limit: capacity, target: target)
            defer { used = sink.count }
            return try body(&sink)
        }
        bytes.removeLast(bytes.count - used)  // trivial bytes: only the count changes
        return result
    }
}

/// Appends bytes at a raw position; `hasRoom` says whether one more line of at most the
/// batch's line capacity fits before the batch is full.
public struct LineSink: TextOutputStream {
    let base: UnsafeMutablePointer<UInt8>
    let limit: Int
    let target: Int
    public private(set) var count = 0

    init(base: UnsafeMutablePointer<UInt8>, limit: Int, target: Int) {
        self.base = base
        self.limit = limit
        self.target = target
    }

    public var hasRoom: Bool { count < target }

    @inline(__always)
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        precondition(count + bytes.count <= limit, "line longer than the batch's line capacity")
        (base + count).update(from: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        precondition(count < limit)
        base[count] = byte
        count += 1
    }

    public mutating func write(_ string: String) {
        var s = string
        s.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Floating-point `write(to:)` hands its ASCII digits here; implementing this
    /// requirement skips the String it would otherwise build for each number (2.5x faster).
    public mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        append(UnsafeRawBufferPointer(buffer))
    }
}

/// Encodes schedule lines byte-identical to `Record.schedule(...).write(to:)`.
public final class ScheduleLineEncoder {
    /// All fragments, back to back; the tables below hold (offset, length) pairs into it.
    let storage: UnsafeMutableRawBufferPointer
    /// `{"record":"schedule","run":"...","seq":`
    let prefix: UnsafeRawBufferPointer
    /// Index phase * instances + instance: `,"phase":P,...,"instance":"...","application":"...","at_s":`
    let middles: [UnsafeRawBufferPointer]
    /// Index firstSuffix[instance] + payload index: `,"target":{...},"payload":...,"payload_index":K,"seed":S}\n`
    let suffixes: [UnsafeRawBufferPointer]
    let firstSuffix: [Int]
    let instanceCount: Int
    /// A closed loop's lines carry their position after `seed`, so they are written whole
    /// by `Record.write` (a loop has few calls; the fragments serve the open-loop millions).
    let schedule: Schedule
    /// Longest possible line: fragments plus 20 digits of seq and 32 bytes of at_s.
    public let maximumLineLength: Int

    public init(schedule: Schedule) {
        self.schedule = schedule
        let instances = schedule.workload.instances
        var pieces: [[UInt8]] = []
        var prefix: [UInt8] = []
        var middleIndex: [Int] = []
        var suffixIndex: [Int] = []
        var firstSuffix: [Int] = []
        for phase in schedule.workload.memorySizes.indices {
            for i in instances.indices {
                let parts = Self.fragments(of: schedule.call(instance: i, phase: phase, seq: 0, atS: 0, payloadIndex: 0))
                prefix = parts.prefix
                middleIndex.append(pieces.count)
                pieces.append(parts.middle)
            }
        }
        for i in instances.indices {
            firstSuffix.append(suffixIndex.count)
            for p in instances[i].payloads.indices {
                suffixIndex.append(pieces.count)
                pieces.append(Self.fragments(of: schedule.call(instance: i, phase: 0, seq: 0, atS: 0, payloadIndex: p)).suffix)
            }
        }
        let prefixIndex = pieces.count
        pieces.append(prefix)

        let total = pieces.reduce(0) { $0 + $1.count }
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(total, 1), alignment: 8)
        var views: [UnsafeRawBufferPointer] = []
        var offset = 0
        for piece in pieces {
            let slice = UnsafeMutableRawBufferPointer(rebasing: storage[offset..<(offset + piece.count)])
            slice.copyBytes(from: piece)
            views.append(UnsafeRawBufferPointer(slice))
            offset += piece.count
        }
        self.prefix = views[prefixIndex]
        self.middles = middleIndex.map { views[$0] }
        self.suffixes = suffixIndex.map { views[$0] }
        self.firstSuffix = firstSuffix
        self.instanceCount = instances.count
        // A loop position adds at most ~130 bytes: four keys, three integers and a number.
        maximumLineLength = prefix.count + (middles.map(\.count).max() ?? 0) + (suffixes.map(\.count).max() ?? 0) + 20 + 32 + 160
    }

    deinit { storage.deallocate() }

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

    /// Appends one call's line (with its newline).
    @inline(__always)
    public func append(_ call: CallCursor.Call, to sink: inout LineSink) {
        if let loop = call.loop {
            var w = JSONWriter(capacity: 512)
            Record.schedule(
                schedule.call(
                    instance: call.instance, phase: call.phase, seq: call.seq, atS: call.atS,
                    payloadIndex: call.payloadIndex, loop: loop)
            ).write(to: &w)
            w.bytes.withUnsafeBytes { sink.append($0) }
            return
        }
        sink.append(prefix)
        Self.appendInteger(UInt64(call.seq), to: &sink)
        sink.append(middles[call.phase * instanceCount + call.instance])
        Self.appendNumber(call.atS, to: &sink)
        sink.append(suffixes[firstSuffix[call.instance] + call.payloadIndex])
    }

    /// One call's line as an array (tests and tools; the writer uses `append`).
    public func line(_ call: CallCursor.Call) -> [UInt8] {
        var batch = LineBatch(lineCapacity: maximumLineLength, target: 1)
        batch.fill { sink in append(call, to: &sink) }
        return batch.bytes
    }

    @inline(__always)
    static func appendInteger(_ value: UInt64, to sink: inout LineSink) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: enough for 20 digits
        var v = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[23 - count] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30
                v /= 10
                count += 1
            } while v > 0
            sink.append(UnsafeRawBufferPointer(rebasing: d[(24 - count)...]))
        }
    }

    /// Same text as `JSONWriter.number`: integral values below 1e15 as integers, others in
    /// Swift's shortest round-trip form.
    @inline(__always)
    static func appendNumber(_ d: Double, to sink: inout LineSink) {
        if d == d.rounded(.towardZero), abs(d) < 1e15 {
            if d < 0 { sink.append(UInt8(ascii: "-")) }
            appendInteger(UInt64(abs(d)), to: &sink)
        } else {
            d.write(to: &sink)  // the same digits as d.description, without a String
        }
    }

    /// `appendNumber` as an array, for tests.
    static func number(_ d: Double) -> [UInt8] {
        var batch = LineBatch(lineCapacity: 64, target: 1)
        batch.fill { sink in appendNumber(d, to: &sink) }
        return batch.bytes
    }
}
