import CCrypto

#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 and HMAC-SHA256 through OpenSSL's libcrypto (one-shot EVP calls).
public enum SHA256 {
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in
                var len: UInt32 = 0
                _ = EVP_Digest(b.baseAddress, b.count, o.baseAddress, &len, EVP_sha256(), nil)
            }
        }
        return out
    }

    public static func digest(_ text: String) -> [UInt8] { digest(Array(text.utf8)) }

    public static func hex(_ bytes: [UInt8]) -> String { Hex.encode(digest(bytes)) }

    /// SHA-256 of a buffer (e.g. a memory-mapped file).
    public static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        let h = Incremental()
        h.update(bytes)
        return h.finalizeHex()
    }
    public static func hex(_ text: String) -> String { Hex.encode(digest(text)) }
}

public enum HMACSHA256 {
    public static func authenticate(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var len: UInt32 = 0
        key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), m.baseAddress, m.count, &out, &len)
            }
        }
        return Array(out.prefix(Int(len)))
    }
}

public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)
    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension SHA256 {
    /// Streaming SHA-256, for hashing input files of any size in constant memory.
    /// A class: it owns an OpenSSL context, and callers feed it from closures.
    public final class Incremental {
        let context: OpaquePointer

        public init() {
            context = EVP_MD_CTX_new()
            EVP_DigestInit_ex(context, EVP_sha256(), nil)
        }

        deinit { EVP_MD_CTX_free(context) }

        public func update(_ bytes: [UInt8]) {
            bytes.withUnsafeBufferPointer { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        }

        public func update(_ bytes: UnsafeRawBufferPointer) {
            _ = EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
        }

        /// The digest; call once, at the end.
        public func finalizeHex() -> String {
            var out = [UInt8](repeating: 0, count: 32)
            var len: UInt32 = 0
            EVP_DigestFinal_ex(context, &out, &len)
            return Hex.encode(out)
        }
    }

    /// SHA-256 of bytes handed over in pieces by `pieces` (e.g. a mapped file's
    /// `forEachPiece`, which lets each piece's pages go once it is hashed).
    public static func hex(pieces: ((UnsafeRawBufferPointer) -> Void) -> Void) -> String {
        let h = Incremental()
        pieces { h.update($0) }
        return h.finalizeHex()
    }

    /// SHA-256 of a file's bytes, read in chunks; nil if it cannot be read.
    public static func hexOfFile(_ path: String) -> String? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        let h = Incremental()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n == 0 { break }
            buffer.withUnsafeBytes { h.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return h.finalizeHex()
    }
}
