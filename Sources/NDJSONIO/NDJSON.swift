import JSON
import RecordSchema
import ToolSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an NDJSON file (or stdin) line by line in constant memory.
///
/// A fixed-size buffer is refilled with read(2); each complete line is handed out as
/// a view into it, so memory does not grow with the file. Blank lines are skipped.
public struct NDJSONReader: ~Copyable {
    /// Name used in error messages (`-` reads stdin and is called `<stdin>`).
    public let name: String
    let fd: Int32
    let ownsFD: Bool

    /// `path` nil or "-" = standard input.
    public init(path: String?) throws {
        if let path, path != "-" {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else {
                throw InputError(file: path, problem: "cannot open: \(String(cString: strerror(errno)))")
            }
            self.fd = fd
            self.ownsFD = true
            self.name = path
        } else {
            self.fd = 0
            self.ownsFD = false
            self.name = "<stdin>"
        }
    }

    deinit { if ownsFD { close(fd) } }

    /// Calls `body` with each non-blank line (without its newline) and its 1-based number.
    /// `onRead` sees every byte read, in order (e.g. to hash the input in the same pass).
    public func forEachLine(
        onRead: ((UnsafeRawBufferPointer) -> Void)? = nil,
        _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws {
        var capacity = 1 << 20
        var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var filled = 0
        var lineNumber = 0
        var eof = false
        while !eof {
            if filled == capacity {  // one line longer than the buffer: grow
                let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
                bigger.update(from: buffer, count: filled)
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            }
            let n = read(fd, buffer + filled, capacity - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError(file: name, problem: "read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { eof = true } else { onRead?(UnsafeRawBufferPointer(start: buffer + filled, count: n)) }
            filled += n
            var start = 0
            var searchFrom = filled - n
            while searchFrom < filled, let hit = memchr(buffer + searchFrom, 0x0A, filled - searchFrom) {
                let i = buffer.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                lineNumber += 1
                var end = i
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                if !Self.isBlank(buffer + start, end - start) {
                    try body(lineNumber, UnsafeBufferPointer(start: buffer + start, count: end - start))
                }
                start = i + 1
                searchFrom = i + 1
            }
            if eof, start < filled {  // last line without a newline
                lineNumber += 1
                if !Self.isBlank(buffer + start, filled - start) {
                    try body(lineNumber, UnsafeBufferPointer(start: buffer + start, count: filled - start))
                }
                start = filled
            }
            if start > 0 {
                (buffer).update(from: buffer + start, count: filled - start)
                filled -= start
            }
        }
    }

    static func isBlank(_ p: UnsafeMutablePointer<UInt8>, _ n: Int) -> Bool {
        for k in 0..<n where p[k] != 0x20 && p[k] != 0x09 && p[k] != 0x0D { return false }
        return true
    }

    /// Decodes each line as a record; a bad line throws `InputError` with file, line and field.
    /// With `marker`, only lines whose bytes contain it are decoded (a second pass that wants
    /// a few records, e.g. those with a `"loop_concurrency"` key, skips the others unread).
    public func forEachRecord(containing marker: String? = nil, _ body: (Int, Record) throws -> Void) throws {
        let needle = marker.map { Array($0.utf8) } ?? []
        try forEachLine { number, bytes in
            if !needle.isEmpty, !ByteSearch.contains(bytes, needle) { return }
            let record: Record
            do {
                record = try Record.decode(bytes)
            } catch let f as FieldFailure {
                // A line that is not JSON at all is named as a whole, as the projection does.
                throw InputError(file: name, line: number, field: f.field.isEmpty ? "record" : f.field, problem: f.problem)
            }
            try body(number, record)
        }
    }
}

/// Buffered writer of NDJSON records to a file descriptor.
public struct NDJSONWriter: ~Copyable {
    var output: OutputFile
    var writer = JSONWriter(capacity: 1 << 18)
    let flushThreshold = 1 << 18

    public init(_ output: consuming OutputFile) { self.output = output }

    public mutating func write(_ record: Record) throws {
        record.write(to: &writer)
        if writer.bytes.count >= flushThreshold { try flush() }
    }

    /// Appends already-encoded bytes (one or more complete lines).
    public mutating func writeRaw(_ bytes: [UInt8]) throws {
        writer.bytes.append(contentsOf: bytes)
        if writer.bytes.count >= flushThreshold { try flush() }
    }

    public mutating func flush() throws {
        try output.write(writer.bytes)
        writer.bytes.removeAll(keepingCapacity: true)
    }

    /// Flushes and publishes the file (renames the temporary into place).
    public consuming func finish() throws {
        try flush()
        try output.commit()
    }

    /// Abandons the output: a file output's temporary is removed, nothing is published.
    public consuming func discard() {
        output.discard()
    }
}
