#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

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
        if count == 0 { base = nil; return }
        guard let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw InputError(file: path, problem: "cannot map: \(String(cString: strerror(errno)))")
        }
        base = UnsafePointer(p.assumingMemoryBound(to: UInt8.self))
    }

    deinit { if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) } }

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}

/// The lines of one chunk of a mapped file.
public struct ChunkLines {
    let base: UnsafePointer<UInt8>
    let count: Int

    /// Calls `body` with each non-blank line (without newline / CR). A `FieldFailure` thrown by
    /// `body` is reported with the line's number, counted from the start of the file.
    public func forEachLine(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var start = 0, line = 0
        while start < count {
            let nl = memchr(base + start, 0x0A, count - start)
            let end = nl.map { UnsafeRawPointer(base).distance(to: UnsafeRawPointer($0)) } ?? count
            line += 1
            var n = end - start
            if n > 0, base[start + n - 1] == 0x0D { n -= 1 }
            var blank = true
            for k in 0..<n where base[start + k] != 0x20 && base[start + k] != 0x09 { blank = false; break }
            if !blank {
                do { try body(UnsafeBufferPointer(start: base + start, count: n)) } catch let f as FieldFailure {
                    throw ChunkLineFailure(line: line, field: f.field, problem: f.problem)
                }
            }
            start = end + 1
        }
    }
}

/// A bad line, numbered from the start of its chunk (made absolute by `ParallelNDJSON`).
struct ChunkLineFailure: Error {
    var line: Int
    var field: String
    var problem: String
}

/// Reading large NDJSON files on every core: each mapped file is cut into chunks at line
/// boundaries; the chunks, and one whole-file job per file (e.g. its SHA-256), are independent
/// jobs. Results come back in file order, so they do not depend on the scheduling, and the
/// first bad line in file order is reported with its real line number.
public enum ParallelNDJSON {
    public static let chunkBytes = 24 << 20

    enum Job: Sendable { case whole(file: Int), chunk(file: Int, start: Int, end: Int) }

    public static func run<Whole, Part>(_ files: [MappedFile], chunkBytes: Int = chunkBytes,
                                        whole: @escaping @Sendable (Int, UnsafeRawBufferPointer) -> Whole,
                                        parse: @escaping @Sendable (Int, ChunkLines) throws -> Part) throws -> [(whole: Whole, parts: [Part])] {
        var jobs: [Job] = files.indices.map { Job.whole(file: $0) }  // the long sequential jobs first
        for (k, f) in files.enumerated() {
            var start = 0
            while start < f.count {
                var end = min(f.count, start + chunkBytes)
                if end < f.count, let nl = memchr(f.base! + end, 0x0A, f.count - end) {
                    end = UnsafeRawPointer(f.base!).distance(to: UnsafeRawPointer(nl)) + 1
                } else { end = f.count }
                jobs.append(.chunk(file: k, start: start, end: end))
                start = end
            }
        }
        let slots = Slots(count: jobs.count)
        let work = jobs
        DispatchQueue.concurrentPerform(iterations: work.count) { j in
            switch work[j] {
            case .whole(let k): slots.set(j, .success(whole(k, files[k].bytes)))
            case .chunk(let k, let start, let end):
                slots.set(j, Result { try parse(k, ChunkLines(base: files[k].base! + start, count: end - start)) })
            }
        }
        var out: [(whole: Whole, parts: [Part])] = []
        for (k, file) in files.enumerated() {
            var parts: [Part] = []
            var wholeResult: Whole?
            var linesBefore = 0
            for (j, job) in jobs.enumerated() {
                switch job {
                case .whole(let f) where f == k: wholeResult = try (slots.get(j).get() as! Whole)
                case .chunk(let f, let start, let end) where f == k:
                    switch slots.get(j) {
                    case .success(let part): parts.append(part as! Part)
                    case .failure(let e as ChunkLineFailure):
                        throw InputError(file: file.path, line: linesBefore + e.line, field: e.field, problem: e.problem)
                    case .failure(let e): throw e
                    }
                    linesBefore += newlines(in: file.base! + start, end - start)
                default: continue
                }
            }
            out.append((wholeResult!, parts))
        }
        return out
    }

    static func newlines(in p: UnsafePointer<UInt8>, _ count: Int) -> Int {
        var n = 0, start = 0
        while start < count, let nl = memchr(p + start, 0x0A, count - start) {
            n += 1
            start = UnsafeRawPointer(p).distance(to: UnsafeRawPointer(nl)) + 1
        }
        return n
    }

    /// One result per job, written by the worker threads.
    final class Slots: @unchecked Sendable {  // every access holds `lock`
        private let lock = PthreadLock()
        private var results: [Result<Any, Error>?]
        init(count: Int) { results = Array(repeating: nil, count: count) }
        func set(_ j: Int, _ r: Result<Any, Error>) { lock.with { results[j] = r } }
        func get(_ j: Int) -> Result<Any, Error> { lock.with { results[j]! } }
    }
}

/// A pthread mutex (Records does not import Foundation).
final class PthreadLock: @unchecked Sendable {
    private let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    init() { pthread_mutex_init(m, nil) }
    deinit { pthread_mutex_destroy(m); m.deallocate() }
    func with<T>(_ body: () -> T) -> T { pthread_mutex_lock(m); defer { pthread_mutex_unlock(m) }; return body() }
}
