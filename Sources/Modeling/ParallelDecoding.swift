import Foundation
import Records

/// Decodes NDJSON records on worker threads while the calling thread splits lines, and hands
/// the records back on the calling thread in input order.
///
/// Decoding (Records' `Record.decode`) is ~90% of fit's time on large inputs; lines are
/// independent, so batches of them decode in parallel. Results are consumed strictly in
/// order, so the first bad line reported is the same one a sequential reader would report.
enum ParallelDecoding {
    /// Lines per batch: large enough to amortise the hand-off, small enough to keep memory flat.
    static let batchLines = 4096

    /// One batch of lines, copied out of the reader's buffer, and its decoded records.
    final class Batch: @unchecked Sendable {
        // @unchecked: `records`/`failure` are written by the one worker that decodes the batch and
        // read by the reading thread only after `done` is signalled; `lock` guards them as well.
        let bytes: [UInt8]
        let ends: [Int]
        let lineNumbers: [Int]
        private let lock = NSLock()
        private var records: [Record] = []
        private var failure: (line: Int, FieldFailure)?
        let done = DispatchSemaphore(value: 0)

        init(bytes: [UInt8], ends: [Int], lineNumbers: [Int]) {
            self.bytes = bytes; self.ends = ends; self.lineNumbers = lineNumbers
        }

        func decode() {
            var out: [Record] = []
            out.reserveCapacity(ends.count)
            var bad: (Int, FieldFailure)?
            bytes.withUnsafeBufferPointer { all in
                var start = 0
                for (k, end) in ends.enumerated() {
                    let line = UnsafeBufferPointer(rebasing: all[start..<end])
                    start = end
                    do { out.append(try Record.decode(line)) } catch let f as FieldFailure {
                        bad = (lineNumbers[k], f); return
                    } catch {
                        bad = (lineNumbers[k], FieldFailure(field: "", problem: "\(error)")); return
                    }
                }
            }
            lock.lock(); records = out; failure = bad; lock.unlock()
            done.signal()
        }

        func result() -> ([Record], (line: Int, FieldFailure)?) {
            done.wait()
            lock.lock(); defer { lock.unlock() }
            return (records, failure)
        }
    }

    /// Calls `line` with every raw line (on this thread, in order) and `body` with every decoded
    /// record and its line number (on this thread, in order). A bad line throws InputError.
    static func forEachRecord(_ reader: borrowing NDJSONReader, line: (UnsafeBufferPointer<UInt8>) -> Void,
                              _ body: (Int, Record) throws -> Void) throws {
        let queue = DispatchQueue(label: "fit.decode", attributes: .concurrent)
        let maxInFlight = max(2, ProcessInfo.processInfo.activeProcessorCount * 2)
        var pending: [Batch] = []
        var bytes: [UInt8] = [], ends: [Int] = [], numbers: [Int] = []
        let name = reader.name

        func drainFirst() throws {
            let batch = pending.removeFirst()
            let (records, failure) = batch.result()
            for (k, record) in records.enumerated() { try body(batch.lineNumbers[k], record) }
            if let (number, f) = failure { throw InputError(file: name, line: number, field: f.field, problem: f.problem) }
        }
        func submit() throws {
            guard !ends.isEmpty else { return }
            let batch = Batch(bytes: bytes, ends: ends, lineNumbers: numbers)
            bytes.removeAll(keepingCapacity: true); ends.removeAll(keepingCapacity: true); numbers.removeAll(keepingCapacity: true)
            pending.append(batch)
            queue.async { batch.decode() }
            while pending.count > maxInFlight { try drainFirst() }
        }

        try reader.forEachLine { number, raw in
            line(raw)
            bytes.append(contentsOf: raw)
            ends.append(bytes.count)
            numbers.append(number)
            if ends.count >= batchLines { try submit() }
        }
        try submit()
        while !pending.isEmpty { try drainFirst() }
    }
}
