import RecordSchema
import ToolSupport

/// Lines of a mapped file, pulled one at a time (for merging several files in step, which
/// the callback readers cannot do), each decoded as a record. Pages already read leave the
/// process's memory every 16 MB, so a large file is read in constant memory.
public struct MappedLines {
    let file: MappedFile
    var offset = 0
    var released = 0
    public private(set) var lineNumber = 0

    public init(_ file: MappedFile) { self.file = file }

    public var path: String { file.path }

    /// The next non-empty line's record, or nil at the end; a bad line is an InputError naming it.
    public mutating func next() throws -> Record? {
        let bytes = file.bytes
        while offset < bytes.count {
            let start = offset
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            offset = end + 1
            lineNumber += 1
            if offset - released >= 16 << 20 {
                file.release(released..<min(start, bytes.count))
                released = start
            }
            guard end > start else { continue }
            return try Self.decode(file, start..<end, line: lineNumber)
        }
        return nil
    }

    /// The record on bytes `range` of `file`; a bad one is an InputError naming line and field.
    static func decode(_ file: MappedFile, _ range: Range<Int>, line: Int?, prefix: String = "") throws -> Record {
        let base = file.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        do {
            return try Record.decode(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
        } catch let f as FieldFailure {
            throw InputError(file: file.path, line: line, field: f.field.isEmpty ? "record" : f.field, problem: prefix + f.problem)
        } catch {
            throw InputError(file: file.path, line: line, field: "record", problem: prefix + "\(error)")
        }
    }

    /// The last non-empty line's record (read from the end, without reading the file).
    public static func lastRecord(_ file: MappedFile) throws -> Record? {
        let bytes = file.bytes
        var end = bytes.count
        while end > 0 && (bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D) { end -= 1 }
        guard end > 0 else { return nil }
        var start = end
        while start > 0 && bytes[start - 1] != 0x0A { start -= 1 }
        return try decode(file, start..<end, line: nil, prefix: "last line: ")
    }
}
