#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CCrypto
import Foundation
import Hashing
import Records

/// Reading a million-call run within the time budget: regular files are mapped into
/// memory and cut into chunks at line boundaries; the chunks and each file's SHA-256
/// are independent jobs spread over every core. Chunk results are merged in file order,
/// so the result does not depend on the scheduling. Standard input is streamed instead.
enum ParallelLoad {
    static let chunkBytes = 24 << 20

    /// A file mapped read-only; unmapped when released.
    final class Mapped: @unchecked Sendable {  // immutable after init: the bytes are only read
        let base: UnsafePointer<UInt8>?
        let count: Int
        init(path: String) throws {
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
    }

    enum Job { case hash(file: Int), chunk(file: Int, start: Int, end: Int) }

    struct ChunkResult { var data: RunData; var lines: Int }
    struct ChunkFailure: Error { var line: Int; var field: String; var problem: String }

    /// Results written by the worker threads, each job into its own slot.
    final class Slots: @unchecked Sendable {  // every access holds `lock`
        private let lock = NSLock()
        private var hashes: [Int: String] = [:]
        private var chunks: [Int: Result<ChunkResult, ChunkFailure>] = [:]
        func setHash(_ file: Int, _ h: String) { lock.lock(); hashes[file] = h; lock.unlock() }
        func setChunk(_ job: Int, _ r: Result<ChunkResult, ChunkFailure>) { lock.lock(); chunks[job] = r; lock.unlock() }
        func hash(_ file: Int) -> String { lock.lock(); defer { lock.unlock() }; return hashes[file] ?? "" }
        func chunk(_ job: Int) -> Result<ChunkResult, ChunkFailure> { lock.lock(); defer { lock.unlock() }; return chunks[job]! }
    }

    /// files: (path, isLogs). Returns one RunData per file (samples not yet sorted) and each file's sha256 and size.
    static func load(_ files: [(path: String, isLogs: Bool)], callsFromLogs: Bool) throws -> [(data: RunData, sha256: String, bytes: Int)] {
        let mapped = try files.map { try Mapped(path: $0.path) }
        var jobs: [Job] = files.indices.map { Job.hash(file: $0) }  // the long sequential jobs first
        for (k, m) in mapped.enumerated() {
            var start = 0
            while start < m.count {
                var end = min(m.count, start + chunkBytes)
                if end < m.count, let nl = memchr(m.base! + end, 0x0A, m.count - end) {
                    end = UnsafeRawPointer(m.base!).distance(to: UnsafeRawPointer(nl)) + 1
                } else { end = m.count }
                jobs.append(.chunk(file: k, start: start, end: end))
                start = end
            }
        }
        let slots = Slots()
        let work = jobs
        DispatchQueue.concurrentPerform(iterations: work.count) { j in
            switch work[j] {
            case .hash(let k): slots.setHash(k, sha256(mapped[k]))
            case .chunk(let k, let start, let end):
                slots.setChunk(j, Result { try parse(mapped[k].base! + start, end - start, isLogs: files[k].isLogs, callsFromLogs: callsFromLogs) }
                    .mapError { $0 as? ChunkFailure ?? ChunkFailure(line: 0, field: "", problem: "\($0)") })
            }
        }
        var out: [(data: RunData, sha256: String, bytes: Int)] = []
        for (k, file) in files.enumerated() {
            var data = RunData()
            var linesBefore = 0
            for (j, job) in jobs.enumerated() {
                guard case .chunk(let f, _, _) = job, f == k else { continue }
                switch slots.chunk(j) {
                case .success(let r):
                    data.append(r.data)
                    linesBefore += r.lines
                case .failure(let e):
                    throw InputError(file: file.path, line: linesBefore + e.line, field: e.field, problem: e.problem)
                }
            }
            out.append((data, slots.hash(k), mapped[k].count))
        }
        return out
    }

    static func sha256(_ m: Mapped) -> String {
        guard let ctx = EVP_MD_CTX_new() else { return "" }
        defer { EVP_MD_CTX_free(ctx) }
        EVP_DigestInit_ex(ctx, EVP_sha256(), nil)
        if let base = m.base { EVP_DigestUpdate(ctx, base, m.count) }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(ctx, &digest, &length)
        return Hex.encode(Array(digest.prefix(Int(length))))
    }

    /// Parses whole lines in [p, p+count); line numbers in failures are chunk-relative.
    static func parse(_ p: UnsafePointer<UInt8>, _ count: Int, isLogs: Bool, callsFromLogs: Bool) throws -> ChunkResult {
        var a = Aggregator()
        var start = 0, line = 0
        while start < count {
            let nl = memchr(p + start, 0x0A, count - start)
            let end = nl.map { UnsafeRawPointer(p).distance(to: UnsafeRawPointer($0)) } ?? count
            line += 1
            var n = end - start
            if n > 0, p[start + n - 1] == 0x0D { n -= 1 }
            var blank = true
            for k in 0..<n where p[start + k] != 0x20 && p[start + k] != 0x09 { blank = false; break }
            if !blank {
                do {
                    try a.add(UnsafeBufferPointer(start: p + start, count: n), logs: isLogs, callsFromLogs: callsFromLogs)
                } catch let f as FieldFailure {
                    throw ChunkFailure(line: line, field: f.field, problem: f.problem)
                }
            }
            start = end + 1
        }
        return ChunkResult(data: a.finish(), lines: line)
    }
}
