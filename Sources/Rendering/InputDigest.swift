#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CCrypto
import Hashing

/// SHA-256 of a file, streamed in 1 MiB chunks (a million-record log file is too big to
/// hash in one piece). Provenance only, so an unreadable file gives nil, not an error.
enum InputDigest {
    static func file(_ path: String) -> (sha256: String, bytes: Int)? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard let ctx = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestInit_ex(ctx, EVP_sha256(), nil) == 1 else { return nil }
        let capacity = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var total = 0
        while true {
            let n = read(fd, buffer, capacity)
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            total += n
            guard EVP_DigestUpdate(ctx, buffer, n) == 1 else { return nil }
        }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(ctx, &digest, &length) == 1 else { return nil }
        return (Hex.encode(Array(digest.prefix(Int(length)))), total)
    }
}
