import CLinux
import Foundation
import Synchronization
import ToolSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a process ended, in Lambda's words, and waiting for a descriptor.
enum ProcessStatus {
    static func describe(_ status: Int32) -> String {
        if didTerminateBySignal(status) { return "Runtime exited with error: signal: \(signalName(terminatingSignal(status)))" }
        return "Runtime exited with error: exit status \((status >> 8) & 0xFF)"
    }

    static func signalName(_ s: Int32) -> String {
        switch s {
        case SIGKILL: return "killed"
        case SIGSEGV: return "segmentation fault"
        case SIGABRT: return "aborted"
        case SIGILL: return "illegal instruction"
        case SIGTRAP: return "trace/breakpoint trap"
        default: return "signal \(s)"
        }
    }

    static func waitReadable(_ fd: Int32, timeoutMs: Double) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(max(0, min(timeoutMs.rounded(.up), Double(Int32.max))))
        while true {
            let r = poll(&p, 1, ms)
            if r < 0 && errno == EINTR { continue }
            return r > 0
        }
    }
}

// The wait-status macros are not imported into Swift.
func didTerminateBySignal(_ status: Int32) -> Bool { (status & 0x7F) != 0 && (status & 0x7F) != 0x7F }
func terminatingSignal(_ status: Int32) -> Int32 { status & 0x7F }

/// posix_spawn with explicit file-descriptor wiring (Foundation.Process cannot place a
/// pipe at fd 3/4, and would add a monitoring thread per child).
///
/// The child gets only the descriptors in `fdMap` (and /dev/null as stdin and stdout):
/// every other descriptor is closed in the child, so a worker or anything it starts can
/// never hold the server's listening socket or a client connection open. It leads a
/// process group of its own, so its children can be ended with it where there is no cgroup.
enum Spawner {
    static let lock = Mutex<Void>(())

    static func spawn(executable: String, arguments: [String], environment: [String], fdMap: [(Int32, Int32)]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        for (from, to) in fdMap { posix_spawn_file_actions_adddup2(&actions, from, to) }
        let firstUnmapped = (fdMap.map(\.1).max() ?? 2) + 1
        guard rs_spawn_close_from(&actions, firstUnmapped) == 0 else {
            throw EnvironmentStartError.spawn("posix_spawn_file_actions_addclosefrom_np failed")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        // Signals the server ignores (SIGPIPE) or blocks stay ignored across exec unless reset.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw EnvironmentStartError.spawn(String(cString: strerror(rc))) }
        return pid
    }
}

/// An environment's /tmp: created at its start, removed with everything in it when the
/// environment ends, and swept at the emulator's start for emulators that were killed.
enum Scratch {
    static func remove(_ directory: String) {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Bytes used by the files under `directory`.
    static func usedBytes(_ directory: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return 0 }
        var total = 0
        while let name = walker.nextObject() as? String {
            var info = stat()
            if lstat(directory + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { total += Int(info.st_size) }
        }
        return total
    }

    /// Removes the scratch roots of emulators that are no longer running.
    static func removeStale(under root: String) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        where DeadOwners.isLeftover(entry, prefix: "lambda-emulator-") {
            remove(root + "/" + entry)
        }
    }
}
