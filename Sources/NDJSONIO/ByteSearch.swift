#if canImport(Glibc)
import Glibc
#endif

/// Whether a line contains a byte string: how a pass that wants a few records (those with a
/// `"response_values"` or `"loop_concurrency"` key) skips the rest without decoding them.
/// (glibc's memmem is a GNU extension that the Glibc module does not export.)
public enum ByteSearch {
    public static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count, var p = haystack.baseAddress else { return needle.isEmpty }
        let end = haystack.baseAddress! + haystack.count
        while end - p >= needle.count, let hit = memchr(p, Int32(first), end - p - needle.count + 1) {
            let q = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(q, needle, needle.count) == 0 { return true }
            p = q + 1
        }
        return false
    }
}
