#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CCrypto
import Hashing
import Records

/// Reads an NDJSON file (or stdin) line by line in constant memory, like Records'
/// NDJSONReader, and feeds every byte read to SHA-256 on the way: the report records
/// its inputs' hashes without reading a gigabyte-sized file twice.
enum HashingLineReader {
    /// Calls `body` with each non-blank line (without newline / CR) and its 1-based number.
    static func read(path: String, _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws -> (sha256: String, bytes: Int) {
        let name = path == "-" ? "<stdin>" : path
        let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY)
        guard fd >= 0 else { throw InputError(file: path, problem: "cannot open: \(String(cString: strerror(errno)))") }
        defer { if fd != 0 { close(fd) } }
        guard let ctx = EVP_MD_CTX_new() else { throw InputError(file: name, problem: "cannot hash: no memory") }
        defer { EVP_MD_CTX_free(ctx) }
        EVP_DigestInit_ex(ctx, EVP_sha256(), nil)

        var capacity = 4 << 20
        var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var filled = 0, lineNumber = 0, total = 0
        var eof = false
        while !eof {
            if filled == capacity {  // a line longer than the buffer: grow
                let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
                bigger.update(from: buffer, count: filled)
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            }
            let n = Glibc.read(fd, buffer + filled, capacity - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError(file: name, problem: "read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { eof = true } else { EVP_DigestUpdate(ctx, buffer + filled, n); total += n }
            let scanFrom = filled
            filled += n
            var start = 0
            var cursor = scanFrom
            while cursor < filled, let nl = memchr(buffer + cursor, 0x0A, filled - cursor) {
                let i = buffer.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                lineNumber += 1
                try emit(buffer + start, i - start, lineNumber, body)
                start = i + 1
                cursor = start
            }
            if eof, start < filled {  // last line without a newline
                lineNumber += 1
                try emit(buffer + start, filled - start, lineNumber, body)
                start = filled
            }
            if start > 0 {
                buffer.update(from: buffer + start, count: filled - start)
                filled -= start
            }
        }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(ctx, &digest, &length)
        return (Hex.encode(Array(digest.prefix(Int(length)))), total)
    }

    @inline(__always)
    static func emit(_ p: UnsafeMutablePointer<UInt8>, _ count: Int, _ number: Int,
                     _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var n = count
        if n > 0, p[n - 1] == 0x0D { n -= 1 }
        var blank = true
        for k in 0..<n where p[k] != 0x20 && p[k] != 0x09 { blank = false; break }
        if !blank { try body(number, UnsafeBufferPointer(start: p, count: n)) }
    }
}
