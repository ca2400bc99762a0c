import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a process's resident memory from /proc.
enum MemoryProbe {
    /// Peak resident set (VmHWM) in MB.
    static func peakRSSMB(pid: pid_t) -> Double? { statusField(pid: pid, "VmHWM:") }
    /// Current resident set (VmRSS) in MB.
    static func rssMB(pid: pid_t) -> Double? { statusField(pid: pid, "VmRSS:") }

    private static func statusField(pid: pid_t, _ name: String) -> Double? {
        guard let text = FileText.read("/proc/\(pid)/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let kb = line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Double($0) }
            return kb.map { $0 / 1024 }
        }
        return nil
    }

    /// CPU time the process's threads have used, in ms (/proc/PID/schedstat sums nothing
    /// across threads, so the task directory is summed).
    static func cpuMs(pid: pid_t) -> Double? {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return nil }
        var total = 0.0
        for t in tasks {
            guard let text = FileText.read("/proc/\(pid)/task/\(t)/schedstat"),
                let ns = text.split(separator: " ").first.flatMap({ Double($0) })
            else { continue }
            total += ns / 1_000_000
        }
        return total
    }

    /// Resets the process's peak RSS so the next reading is this invocation's peak.
    static func resetPeak(pid: pid_t) { _ = FileText.write("/proc/\(pid)/clear_refs", "5") }
}

/// Small whole-file reads and writes (proc and cgroup files).
enum FileText {
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, 4096) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    @discardableResult
    static func write(_ path: String, _ text: String) -> Bool {
        let fd = Glibc.open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return PipeIO.writeAll(fd, Array(text.utf8))
    }
}
