import Foundation
import NDJSONIO
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// An output never shows up half-written and leaves no temporary: unnamed until committed
/// where the file system allows, and stale temporaries of dead processes are removed.
@Suite struct OutputFileTests {
    func entries(_ dir: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    @Test func nothingIsVisibleBeforeTheCommit() throws {
        let dir = try TemporaryDirectory("output-file")
        defer { dir.remove() }
        var output = try OutputFile(path: dir.file("out.ndjson"))
        try output.write("{\"a\":1}\n")
        // /tmp and the build folder are on file systems with O_TMPFILE (ext4, tmpfs, xfs, btrfs).
        let visible = try entries(dir)
        #expect(visible.isEmpty, "a named temporary: \(visible)")
        try output.commit()
        #expect(try entries(dir) == ["out.ndjson"])
        #expect(try String(contentsOfFile: dir.file("out.ndjson"), encoding: .utf8) == "{\"a\":1}\n")
    }

    @Test func aDiscardedOutputLeavesTheOldFileAndNoTemporary() throws {
        let dir = try TemporaryDirectory("output-file")
        defer { dir.remove() }
        try dir.write("out.ndjson", "old\n")
        do {
            let output = try OutputFile(path: dir.file("out.ndjson"))
            try output.write("new, half written")
            output.discard()
        }
        #expect(try entries(dir) == ["out.ndjson"])
        #expect(try String(contentsOfFile: dir.file("out.ndjson"), encoding: .utf8) == "old\n")
    }

    @Test func staleTemporariesOfDeadProcessesAreRemovedOthersKept() throws {
        let dir = try TemporaryDirectory("output-file")
        defer { dir.remove() }
        // A process that has exited (and been reaped): its pid names no process now.
        let dead = try #require(Self.reapedPid())
        let live = getppid()
        try dir.write(".out.ndjson.tmp.\(dead)", "left by kill -9")
        try dir.write(".out.ndjson.tmp.\(live)", "being written by a live process")
        try dir.write(".other.ndjson.tmp.\(dead)", "another output's")
        var output = try OutputFile(path: dir.file("out.ndjson"))
        try output.write("x\n")
        try output.commit()
        #expect(try entries(dir) == [".other.ndjson.tmp.\(dead)", ".out.ndjson.tmp.\(live)", "out.ndjson"])
    }

    @Test func aPipeOrDeviceIsWrittenInPlaceNotReplaced() throws {
        let dir = try TemporaryDirectory("output-file")
        defer { dir.remove() }
        // A named pipe stands for /dev/null, /dev/stdout and >(gzip > f): renaming over it
        // would put a regular file in its place.
        let fifo = dir.file("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let received = ReceivedText()
        let reader = Thread {
            // Read until the writer closes (a pipe has no size to read up to).
            let data = FileHandle(forReadingAtPath: fifo)?.readDataToEndOfFile() ?? Data()
            received.set(String(decoding: data, as: UTF8.self))
        }
        reader.start()
        var output = try OutputFile(path: fifo)
        try output.write("{\"a\":1}\n")
        try output.commit()
        #expect(Wait.until(timeout: 30) { received.get() != nil })
        #expect(received.get() == "{\"a\":1}\n")
        var info = stat()
        #expect(stat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO, "still a pipe")
        #expect(try entries(dir) == ["pipe"])
    }

    final class ReceivedText: @unchecked Sendable {
        // @unchecked: every access is under the lock.
        private let lock = NSLock()
        private var text: String?
        func set(_ t: String) {
            lock.lock()
            text = t
            lock.unlock()
        }
        func get() -> String? {
            lock.lock()
            defer { lock.unlock() }
            return text
        }
    }

    /// The pid of a child that has exited and been waited for.
    static func reapedPid() -> pid_t? {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(argv[0]) }
        guard posix_spawn(&pid, "/bin/true", nil, nil, argv, environ) == 0 else { return nil }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return kill(pid, 0) != 0 && errno == ESRCH ? pid : nil
    }
}
