import RecordSchema
import ToolSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lines of one chunk of a mapped file.
public struct ChunkLines {
    let base: UnsafePointer<UInt8>
    let count: Int

    /// Calls `body` with each non-blank line (without newline / CR). A `FieldFailure` thrown by
    /// `body` is reported with the line's number, counted from the start of the file.
    public func forEachLine(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var start = 0
        var line = 0
        while start < count {
            let nl = memchr(base + start, 0x0A, count - start)
            let end = nl.map { UnsafeRawPointer(base).distance(to: UnsafeRawPointer($0)) } ?? count
            line += 1
            var n = end - start
            if n > 0, base[start + n - 1] == 0x0D { n -= 1 }
            var blank = true
            for k in 0..<n where base[start + k] != 0x20 && base[start + k] != 0x09 {
                blank = false
                break
            }
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

    enum Outcome<Whole, Part> {
        case whole(Whole)
        case chunk(Result<Part, Error>)
    }

    enum Job: Sendable {
        case whole(file: Int)
        case chunk(file: Int, start: Int, end: Int)
    }

    public static func run<Whole, Part>(
        _ files: [MappedFile], chunkBytes: Int = chunkBytes,
        whole: @escaping @Sendable (Int, MappedFile) -> Whole,
        parse: @escaping @Sendable (Int, ChunkLines) throws -> Part
    ) throws -> [(whole: Whole, parts: [Part])] {
        var jobs: [Job] = files.indices.map { Job.whole(file: $0) }  // the long sequential jobs first
        for (k, f) in files.enumerated() {
            var start = 0
            while start < f.count {
                var end = min(f.count, start + chunkBytes)
                if end < f.count, let nl = memchr(f.base! + end, 0x0A, f.count - end) {
                    end = UnsafeRawPointer(f.base!).distance(to: UnsafeRawPointer(nl)) + 1
                } else {
                    end = f.count
                }
                jobs.append(.chunk(file: k, start: start, end: end))
                start = end
            }
        }
        let outcomes: [Outcome<Whole, Part>] = jobs.concurrentMap { job in
            switch job {
            case .whole(let k): return .whole(whole(k, files[k]))
            case .chunk(let k, let start, let end):
                defer { files[k].release(start..<end) }
                return .chunk(Result { try parse(k, ChunkLines(base: files[k].base! + start, count: end - start)) })
            }
        }
        var out: [(whole: Whole, parts: [Part])] = []
        for (k, file) in files.enumerated() {
            var parts: [Part] = []
            var wholeResult: Whole?
            for (job, outcome) in zip(jobs, outcomes) {
                switch (job, outcome) {
                case (.whole(let f), .whole(let w)) where f == k: wholeResult = w
                case (.chunk(let f, let start, _), .chunk(let result)) where f == k:
                    switch result {
                    case .success(let part): parts.append(part)
                    case .failure(let e as ChunkLineFailure):
                        // Lines before the chunk are counted only now: the first bad line is rare.
                        let before = newlines(in: file.base!, start)
                        throw InputError(
                            file: file.path, line: before + e.line, field: e.field.isEmpty ? "record" : e.field, problem: e.problem)
                    case .failure(let e): throw e
                    }
                default: continue
                }
            }
            out.append((wholeResult!, parts))
        }
        return out
    }

    static func newlines(in p: UnsafePointer<UInt8>, _ count: Int) -> Int {
        var n = 0
        var start = 0
        while start < count, let nl = memchr(p + start, 0x0A, count - start) {
            n += 1
            start = UnsafeRawPointer(p).distance(to: UnsafeRawPointer(nl)) + 1
        }
        return n
    }
}
