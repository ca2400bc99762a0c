import CLinux
import Foundation
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
/// finished. Where the file system allows, the temporary is unnamed (`O_TMPFILE`) until
/// the commit links it, so even `kill -9` leaves nothing behind; elsewhere it is
/// `.NAME.tmp.<pid>`, registered for removal on SIGINT/SIGTERM, and the next run writing
/// NAME removes such files of processes that are gone. A path that exists and is not a
/// regular file (`/dev/null`, `/dev/stdout`, a named pipe, `>(gzip > f)`) is written in
/// place: renaming over it would replace the device or pipe with a file.
public struct OutputFile: ~Copyable {
    public let path: String?
    /// The named temporary (nil for standard output and for an unnamed temporary).
    let temporaryPath: String?
    /// The name the unnamed temporary gets at commit, just before the rename.
    let linkPath: String?
    let fd: Int32
    var committed = false

    /// `path` nil or "-" = standard output.
    public init(path: String?) throws {
        guard let path, path != "-" else {
            self.path = nil
            self.temporaryPath = nil
            self.linkPath = nil
            self.fd = 1
            return
        }
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw InputError(file: path, problem: "cannot write: \(String(cString: strerror(errno)))") }
            self.path = path
            self.temporaryPath = nil
            self.linkPath = nil
            self.fd = fd
            return
        }
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let tmp = "\(dir)/.\(base).tmp.\(getpid())"
        Self.removeStaleTemporaries(directory: dir.isEmpty ? "/" : dir, base: base)
        let unnamed = rs_open_unnamed(dir.isEmpty ? "/" : dir, 0o644)
        if unnamed >= 0 {
            self.path = path
            self.temporaryPath = nil
            self.linkPath = tmp
            self.fd = unnamed
            return
        }
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw InputError(file: path, problem: "cannot write: \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.temporaryPath = tmp
        self.linkPath = nil
        self.fd = fd
        TemporaryFiles.register(tmp)
    }

    /// Removes `.BASE.tmp.<pid>` files in `directory` whose process no longer exists (left
    /// by a `kill -9` on a file system without O_TMPFILE, or by an older version).
    static func removeStaleTemporaries(directory: String, base: String) {
        let prefix = ".\(base).tmp."
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries where DeadOwners.isLeftover(entry, prefix: prefix) {
            unlink("\(directory)/\(entry)")
        }
    }

    public var isStandardOutput: Bool { path == nil }

    public func write(_ bytes: [UInt8]) throws {
        guard FileDescriptorIO.writeAll(fd, bytes) else {
            throw InputError(file: path ?? "<stdout>", problem: "write failed: \(String(cString: strerror(errno)))")
        }
    }

    public func write(_ text: String) throws { try write(Array(text.utf8)) }

    public mutating func commit() throws {
        guard let path else {
            committed = true
            return
        }
        guard fsync(fd) == 0 || errno == EINVAL else {
            throw InputError(file: path, problem: "write failed: \(String(cString: strerror(errno)))")
        }
        if let linkPath {
            // Named for the moment between link and rename only.
            unlink(linkPath)
            guard rs_link_unnamed(fd, linkPath) == 0 else {
                throw InputError(file: path, problem: "cannot name the output: \(String(cString: strerror(errno)))")
            }
            close(fd)
            committed = true
            guard rename(linkPath, path) == 0 else {
                unlink(linkPath)
                throw InputError(file: path, problem: "cannot rename into place: \(String(cString: strerror(errno)))")
            }
            return
        }
        guard let temporaryPath else {
            // Written in place (a device or a pipe).
            close(fd)
            committed = true
            return
        }
        guard close(fd) == 0 else {
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
        abandon()
        committed = true
    }

    private func abandon() {
        guard path != nil, !committed else { return }
        // An unnamed temporary vanishes with its descriptor.
        close(fd)
        if let temporaryPath {
            unlink(temporaryPath)
            TemporaryFiles.unregister(temporaryPath)
        }
    }

    deinit {
        // Dropped without commit (an error path): remove the partial temporary.
        abandon()
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
