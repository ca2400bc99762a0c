import Foundation
import Hashing

/// SHA-256 of a regular file, computed on another core while the caller parses it.
final class BackgroundFileHash: @unchecked Sendable {
    // @unchecked: `result` is written once by the hashing task before `done` is signalled,
    // and read by the caller only after waiting on `done`.
    private var result: String?
    private let done = DispatchSemaphore(value: 0)

    /// nil when `path` is not a regular file (a pipe cannot be read twice).
    static func start(_ path: String) -> BackgroundFileHash? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let h = BackgroundFileHash()
        DispatchQueue.global().async {
            h.result = SHA256.hexOfFile(path)
            h.done.signal()
        }
        return h
    }

    func wait() -> String? {
        done.wait()
        return result
    }
}
