import ToolSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file mapped read-only; unmapped when released.
public final class MappedFile: @unchecked Sendable {  // immutable after init: the bytes are only read
    public let path: String
    let base: UnsafePointer<UInt8>?
    public let count: Int

    /// nil when `path` is not a regular file (standard input, a pipe): stream those instead.
    public static func regular(_ path: String?) throws -> MappedFile? {
        guard let path, path != "-" else { return nil }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return try MappedFile(path: path)
    }

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw InputError(file: path, problem: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw InputError(file: path, problem: "cannot stat: \(String(cString: strerror(errno)))") }
        count = Int(st.st_size)
        if count == 0 {
            base = nil
            return
        }
        guard let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw InputError(file: path, problem: "cannot map: \(String(cString: strerror(errno)))")
        }
        base = UnsafePointer(p.assumingMemoryBound(to: UInt8.self))
    }

    deinit { if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) } }

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// The bytes in order, 16 MB at a time; each piece's pages leave this process's memory
    /// after `body` returns (they stay in the page cache), so reading a large file does
    /// not hold it all resident.
    public func forEachPiece(_ body: (UnsafeRawBufferPointer) -> Void) {
        let piece = 16 << 20
        var start = 0
        while start < count {
            let end = min(count, start + piece)
            body(UnsafeRawBufferPointer(start: base! + start, count: end - start))
            release(start..<end)
            start = end
        }
    }

    /// Drops the whole pages inside `range` from this process's resident memory (a later
    /// read maps them again from the page cache).
    public func release(_ range: Range<Int>) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let lo = (range.lowerBound + page - 1) / page * page
        let hi = range.upperBound == count ? (count + page - 1) / page * page : range.upperBound / page * page
        guard hi > lo else { return }
        madvise(UnsafeMutableRawPointer(mutating: base! + lo), hi - lo, Int32(MADV_DONTNEED))
    }
}
