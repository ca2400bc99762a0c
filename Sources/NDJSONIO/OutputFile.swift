import ToolSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tool's output: standard output, or a file written atomically.
///
/// A file is written to a temporary beside it and renamed into place by `commit()`,
/// so a killed or failed stage never leaves a partial file that make would take as
/// finished. Until then the temporary is registered for removal on SIGINT/SIGTERM.
public struct OutputFile: ~Copyable {
    public let path: String?
    let temporaryPath: String?
    let fd: Int32
    var committed = false

    /// `path` nil or "-" = standard output.
    public init(path: String?) throws {
        guard let path, path != "-" else {
            self.path = nil
            self.temporaryPath = nil
            self.fd = 1
            return
        }
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let tmp = "\(dir)/.\(base).tmp.\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw InputError(file: path, problem: "cannot write: \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.temporaryPath = tmp
        self.fd = fd
        TemporaryFiles.register(tmp)
    }

    public var isStandardOutput: Bool { path == nil }

    public func write(_ bytes: [UInt8]) throws {
        guard FileDescriptorIO.writeAll(fd, bytes) else {
            throw InputError(file: path ?? "<stdout>", problem: "write failed: \(String(cString: strerror(errno)))")
        }
    }

    public func write(_ text: String) throws { try write(Array(text.utf8)) }

    public mutating func commit() throws {
        guard let path, let temporaryPath else {
            committed = true
            return
        }
        guard fsync(fd) == 0 || errno == EINVAL, close(fd) == 0 else {
            throw InputError(file: path, problem: "write failed: \(String(cString: strerror(errno)))")
        }
        committed = true
        guard rename(temporaryPath, path) == 0 else {
            unlink(temporaryPath)
            throw InputError(file: path, problem: "cannot rename into place: \(String(cString: strerror(errno)))")
        }
        TemporaryFiles.unregister(temporaryPath)
    }

    public consuming func discard() {
        if let temporaryPath, !committed {
            close(fd)
            unlink(temporaryPath)
            TemporaryFiles.unregister(temporaryPath)
            committed = true
        }
    }

    deinit {
        // Dropped without commit (an error path): remove the partial temporary.
        if let temporaryPath, !committed {
            close(fd)
            unlink(temporaryPath)
            TemporaryFiles.unregister(temporaryPath)
        }
    }
}

/// Temporaries to unlink if the process is interrupted before they are committed.
/// Fixed-size C storage, because a signal handler may only call async-signal-safe code.
public enum TemporaryFiles {
    static let capacity = 16
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        p.initialize(repeating: nil, count: capacity)
        return p
    }()
    nonisolated(unsafe) static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let l = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(l, nil)
        return l
    }()

    static func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body()
    }

    static func register(_ path: String) {
        withLock {
            for k in 0..<capacity where slots[k] == nil {
                slots[k] = strdup(path)
                break
            }
        }
    }

    static func unregister(_ path: String) {
        withLock {
            for k in 0..<capacity where slots[k] != nil && String(cString: slots[k]!) == path {
                free(slots[k])
                slots[k] = nil
            }
        }
    }

    /// Unlinks every registered temporary; only async-signal-safe calls.
    public static func removeAll() {
        for k in 0..<capacity { if let p = slots[k] { unlink(p) } }
    }

    /// Installs SIGINT/SIGTERM handlers that remove temporaries and exit 130/143.
    /// For tools without their own interrupt handling.
    public static func removeOnInterrupt() {
        _ = slots  // initialise before any signal can arrive
        let handler: @convention(c) (Int32) -> Void = { sig in
            TemporaryFiles.removeAll()
            _exit(128 + sig)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}
