import CLibFuzzer

#if canImport(Glibc)
import Glibc
#endif

/// What the fuzz targets share: copies of the input in allocations of exactly its size (so
/// AddressSanitizer reports a read one byte past the end), line splitting, and a failed
/// property as a crash libFuzzer records.
public enum FuzzInput {
    /// Calls `body` with a copy of `bytes` in a heap block of exactly their length.
    public static func withExactCopy<T>(
        _ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> T
    ) rethrows -> T {
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        defer { copy.deallocate() }
        _ = copy.initialize(from: bytes)
        return try body(UnsafeBufferPointer(copy))
    }

    /// Each line of `bytes` (without its '\n'), each in its own exact-size heap block.
    public static func forEachLine(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        var start = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
            if i == bytes.count && start == i && i > 0 { break }  // no empty line after a final '\n'
            try withExactCopy(UnsafeBufferPointer(rebasing: bytes[start..<i]), body)
            start = i + 1
        }
    }

    /// Runs libFuzzer's driver (its command line: `-runs=`, `-max_total_time=`, corpus
    /// directories...) on `testOneInput`, then exits with its status.
    public static func main(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(withUnsafeMutablePointer(to: &argv) { LLVMFuzzerRunDriver(&argc, $0, testOneInput) })
    }

    /// The repository's root, from this file's place in it (Fuzz/Sources/FuzzSupport/).
    public static let repositoryRoot: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)
        return parts.joined(separator: "/")
    }()

    /// A property the target checks failed: print it and abort, which libFuzzer reports as a crash.
    public static func fail(_ message: String) -> Never {
        let line = "fuzz property failed: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        abort()
    }
}
