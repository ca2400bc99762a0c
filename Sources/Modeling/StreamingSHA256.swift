import CCrypto

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
