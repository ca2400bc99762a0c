import Foundation

/// The processes of the machine, read from /proc (to find a run's leftovers and a
/// server's workers).
public enum Processes {
    /// "pid: command line" of every process whose command line contains `needle`.
    public static func matching(_ needle: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid -> String? in
            guard Int(pid) != nil,
                let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty
            else { return nil }
            let cmd = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return cmd.contains(needle) ? "\(pid): \(cmd)" : nil
        }
    }

    /// Process ids of the children of `parent` right now.
    public static func children(of parent: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { Int32($0) }.filter { p in
            guard let stat = try? String(contentsOfFile: "/proc/\(p)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == parent
        }
    }

    /// Whether `pid` is a live process (a zombie, exited but not yet reaped, is not).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.first.map { $0 != "Z" && $0 != "X" } ?? false
    }

    /// The pid at the start of a `matching` line.
    public static func pid(of line: String) -> Int32? { Int32(line.prefix { $0 != ":" }) }

    /// Starts a server that picks its own loopback port and prints it as its first line
    /// (with posix_spawnp: Foundation's Process.waitUntilExit can hang off the main thread);
    /// returns its pid and that port. A server that prints no port is killed and reaped.
    public static func spawnServer(_ arguments: [String], stderrPath: String? = nil) throws -> (pid: pid_t, port: Int) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw CocoaError(.fileReadUnknown) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        if let stderrPath { posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT, 0o644) }
        posix_spawn_file_actions_addclose(&actions, fds[0])
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var child: pid_t = 0
        let rc = posix_spawnp(&child, arguments[0], &actions, nil, &argv, environ)
        for argument in argv { free(argument) }
        posix_spawn_file_actions_destroy(&actions)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw CocoaError(.executableLoad)
        }
        var line = [UInt8]()
        var byte: UInt8 = 0
        while read(fds[0], &byte, 1) == 1, byte != 0x0A { line.append(byte) }
        close(fds[0])
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)) else {
            killAndReap(child)
            throw CocoaError(.fileReadCorruptFile)
        }
        return (child, port)
    }

    /// SIGKILL to a child this process started, then waits for it (no zombie left).
    public static func killAndReap(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
