import CCrypto

/// SHA-1, only for names other tools derive with it (the AWS CLI's SSO token cache file
/// names); never for integrity or signing.
public enum SHA1 {
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(SHA_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in
                var len: UInt32 = 0
                _ = EVP_Digest(b.baseAddress, b.count, o.baseAddress, &len, EVP_sha1(), nil)
            }
        }
        return out
    }

    public static func hex(_ text: String) -> String { Hex.encode(digest(Array(text.utf8))) }
}
