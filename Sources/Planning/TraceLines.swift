import JSON
import NDJSONIO

/// The lines of a memory-mapped trace file, pulled one at a time.
///
/// Pages already read are dropped from this process's memory every 16 MB (they stay in the
/// page cache), so a gigabyte-sized trace is read in constant memory.
final class TraceLines {
    let file: MappedFile
    /// Name for messages: the path as the workload gives it.
    let name: String
    private(set) var offset: Int
    /// Number of the line last returned (1-based).
    private(set) var number: Int
    private var released: Int
    static let releaseStep = 16 << 20

    init(file: MappedFile, name: String, offset: Int = 0, line: Int = 0) {
        self.file = file
        self.name = name
        self.offset = offset
        self.number = line
        released = offset / Self.releaseStep * Self.releaseStep
    }

    /// Where the next line starts, and the number of the line before it (to resume there).
    var position: (offset: Int, line: Int) { (offset, number) }

    /// The next non-blank line, without its line break.
    func next() -> UnsafeBufferPointer<UInt8>? {
        let bytes = file.bytes
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        while offset < bytes.count {
            if offset - released >= Self.releaseStep {
                file.release(released..<offset)
                released = offset / Self.releaseStep * Self.releaseStep
            }
            let start = offset
            var end = start
            while end < bytes.count, base[end] != 0x0A { end += 1 }
            offset = end + 1
            number += 1
            var stop = end
            if stop > start, base[stop - 1] == 0x0D { stop -= 1 }
            let line = UnsafeBufferPointer(start: base + start, count: stop - start)
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return line }
        }
        return nil
    }

    /// A problem at the line last returned.
    func error(_ field: String, _ problem: String) -> TraceError {
        TraceError(file: name, line: number, field: field, problem: problem)
    }
}

/// A problem inside a trace file (`WorkloadParser` turns it into an `InputError`).
struct TraceError: Error {
    var file: String
    var line: Int?
    var field: String
    var problem: String
}

/// The comma-separated fields of one line (the published trace formats quote nothing).
struct CSVFields {
    let line: UnsafeBufferPointer<UInt8>
    private var start = 0
    private(set) var done = false

    init(_ line: UnsafeBufferPointer<UInt8>) { self.line = line }

    mutating func next() -> UnsafeBufferPointer<UInt8>? {
        guard !done else { return nil }
        var end = start
        while end < line.count, line[end] != UInt8(ascii: ",") { end += 1 }
        let field = UnsafeBufferPointer(rebasing: line[start..<end])
        if end >= line.count { done = true }
        start = end + 1
        return trimmed(field)
    }

    func trimmed(_ f: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var a = 0
        var b = f.count
        while a < b, f[a] == 0x20 || f[a] == 0x09 { a += 1 }
        while b > a, f[b - 1] == 0x20 || f[b - 1] == 0x09 { b -= 1 }
        return UnsafeBufferPointer(rebasing: f[a..<b])
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// The whole field as a number (DecimalNumber's grammar), or nil.
    var number: Double? {
        guard let (value, end) = DecimalNumber.parse(self), end == count else { return nil }
        return value
    }

    /// The whole field as a count of calls: a non-negative integer (written `12` or `12.0`).
    var callCount: Int? {
        guard let d = number, d >= 0, d == d.rounded(), d < 1e15 else { return nil }
        return Int(d)
    }

    var text: String {
        let s = String(decoding: self, as: UTF8.self)
        return s.count > 40 ? String(s.prefix(40)) + "..." : s
    }

    func equals(_ s: String) -> Bool { elementsEqual(s.utf8) }
}
