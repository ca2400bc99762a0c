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
            let line = UnsafeBufferPointer(start: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + start, count: end - start)
            do {
                return try Record.decode(line)
            } catch let f as FieldFailure {
                throw InputError(file: file.path, line: lineNumber, field: f.field, problem: f.problem)
            } catch {
                throw InputError(file: file.path, line: lineNumber, problem: "\(error)")
            }
        }
        return nil
    }

    /// The last non-empty line's record (read from the end, without reading the file).
    public static func lastRecord(_ file: MappedFile) throws -> Record? {
        let bytes = file.bytes
        var end = bytes.count
        while end > 0 && (bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D) { end -= 1 }
        guard end > 0 else { return nil }
        var start = end
        while start > 0 && bytes[start - 1] != 0x0A { start -= 1 }
        let line = UnsafeBufferPointer(start: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + start, count: end - start)
        do {
            return try Record.decode(line)
        } catch let f as FieldFailure {
            throw InputError(file: file.path, field: f.field, problem: "last line: \(f.problem)")
        } catch {
            throw InputError(file: file.path, problem: "last line: \(error)")
        }
    }
}
