import CCrypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Incremental SHA-256 of the input as it streams by (the Hashing module's API is one-shot,
/// and the input can be larger than memory should hold).
///
/// Fed each line plus "\n", so for a file with LF line endings and no blank lines (what
/// every rightsize stage writes) it equals `sha256sum` of the file.
struct StreamingSHA256: ~Copyable {
    let context: OpaquePointer

    init() {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ bytes: UnsafeBufferPointer<UInt8>) {
        EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    func update(newline: Void) {
        var nl: UInt8 = 10
        EVP_DigestUpdate(context, &nl, 1)
    }

    func finish() -> String {
        var out = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        EVP_DigestFinal_ex(context, &out, &len)
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        for b in out { hex.append(digits[Int(b >> 4)]); hex.append(digits[Int(b & 15)]) }
        return String(decoding: hex, as: UTF8.self)
    }
}

/// SHA-256 of a regular file computed on a background thread (the file's exact bytes).
final class FileHash: @unchecked Sendable {
    // @unchecked: `result` is written by the hashing thread and read by the caller, always under `lock`;
    // `done` orders the write before the read.
    private let lock = NSLock()
    private var result: String?
    private let done = DispatchSemaphore(value: 0)

    /// nil when `path` is not a regular file (then the caller hashes what it reads).
    static func start(_ path: String) -> FileHash? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let h = FileHash()
        DispatchQueue.global().async {
            let hex = FileHash.hash(path)
            h.lock.lock(); h.result = hex; h.lock.unlock()
            h.done.signal()
        }
        return h
    }

    func wait() -> String? {
        done.wait()
        lock.lock(); defer { lock.unlock() }
        return result
    }

    static func hash(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let hasher = StreamingSHA256()
        let size = 1 << 20
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer, size)
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            hasher.update(UnsafeBufferPointer(start: buffer, count: n))
        }
        return hasher.finish()
    }
}
