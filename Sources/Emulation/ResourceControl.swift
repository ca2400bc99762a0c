#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How workers get CPU proportional to memory and a memory limit.
///
/// Preferred: kernel cgroups, one per execution environment (v1 `cpu.cfs_quota_us` +
/// `memory.limit_in_bytes`, or v2 `cpu.max` + `memory.max`). Where no cgroup hierarchy
/// is writable, the driver throttles the worker itself (SIGSTOP/SIGCONT duty cycle) and
/// kills it when its resident set exceeds the limit.
public enum IsolationMode: String, Sendable, CaseIterable {
    case auto, cgroup
    case dutyCycle = "duty-cycle"
}

/// The CPU share of one core that AWS gives a memory size (1769 MB = one vCPU).
func cpuShare(memoryMB: Int) -> Double { Double(memoryMB) / 1769.0 }

final class ResourceControl: Sendable {
    enum Kind: Sendable, Equatable {
        case cgroupV1(cpu: String, memory: String)
        case cgroupV2(root: String)
        case none
    }

    let kind: Kind
    /// Short enough that a few hundred ms of throttled work is not distorted by where it
    /// starts in a period; long enough that the 128 MB quota stays above the kernel minimum (1 ms).
    static let periodMicroseconds = 20_000

    init(mode: IsolationMode) {
        let name = "lambda-emulator-\(getpid())"
        guard mode != .dutyCycle else { kind = .none; return }
        let v1cpu = "/sys/fs/cgroup/cpu", v1mem = "/sys/fs/cgroup/memory"
        if access(v1cpu + "/cpu.cfs_quota_us", F_OK) == 0, access(v1mem + "/memory.limit_in_bytes", F_OK) == 0,
           Self.makeDirectory(v1cpu + "/" + name), Self.makeDirectory(v1mem + "/" + name) {
            kind = .cgroupV1(cpu: v1cpu + "/" + name, memory: v1mem + "/" + name)
            // A Lambda vCPU is dedicated: weight the workers well above the host's other
            // processes so that background load disturbs the measured physics less.
            FileText.write(v1cpu + "/" + name + "/cpu.shares", "\(1024 * 16)")
            return
        }
        let v2 = "/sys/fs/cgroup"
        if let controllers = FileText.read(v2 + "/cgroup.controllers"),
           controllers.contains("cpu"), controllers.contains("memory"),
           Self.makeDirectory(v2 + "/" + name) {
            FileText.write(v2 + "/cgroup.subtree_control", "+cpu +memory")
            if FileText.write(v2 + "/" + name + "/cgroup.subtree_control", "+cpu +memory") {
                kind = .cgroupV2(root: v2 + "/" + name)
                FileText.write(v2 + "/" + name + "/cpu.weight", "1600")
                return
            }
            rmdir(v2 + "/" + name)
        }
        kind = .none
    }

    var description: String {
        switch kind {
        case .cgroupV1: return "cgroup v1 (cpu.cfs_quota_us, memory.limit_in_bytes)"
        case .cgroupV2: return "cgroup v2 (cpu.max, memory.max)"
        case .none: return "SIGSTOP/SIGCONT duty cycle and RSS watchdog (no writable cgroup)"
        }
    }

    var usesCgroups: Bool { kind != .none }

    private static func makeDirectory(_ path: String) -> Bool {
        mkdir(path, 0o755) == 0 || errno == EEXIST
    }

    /// Creates the cgroup of one environment; nil when cgroups are not in use or fail.
    func makeGroup(id: String, memoryMB: Int) -> EnvironmentGroup? {
        let quota = max(1000, Int(Double(Self.periodMicroseconds) * cpuShare(memoryMB: memoryMB)))
        let bytes = memoryMB * 1_048_576
        switch kind {
        case .none:
            return nil
        case let .cgroupV1(cpu, memory):
            let c = cpu + "/" + id, m = memory + "/" + id
            guard Self.makeDirectory(c), Self.makeDirectory(m),
                  FileText.write(c + "/cpu.cfs_period_us", "\(Self.periodMicroseconds)"),
                  FileText.write(c + "/cpu.cfs_quota_us", "\(quota)"),
                  FileText.write(m + "/memory.limit_in_bytes", "\(bytes)") else {
                rmdir(c); rmdir(m)
                return nil
            }
            FileText.write(m + "/memory.swappiness", "0")
            return EnvironmentGroup(directories: [c, m], version: 1)
        case let .cgroupV2(root):
            let d = root + "/" + id
            guard Self.makeDirectory(d),
                  FileText.write(d + "/cpu.max", "\(quota) \(Self.periodMicroseconds)"),
                  FileText.write(d + "/memory.max", "\(bytes)") else {
                rmdir(d)
                return nil
            }
            FileText.write(d + "/memory.swap.max", "0")
            return EnvironmentGroup(directories: [d], version: 2)
        }
    }

    /// Removes the emulator's own cgroup directories (after every worker is gone).
    func removeAll() {
        switch kind {
        case .none: break
        case let .cgroupV1(cpu, memory): rmdir(cpu); rmdir(memory)
        case let .cgroupV2(root): rmdir(root)
        }
    }
}

/// The cgroup(s) of one execution environment.
struct EnvironmentGroup: Sendable {
    let directories: [String]
    let version: Int

    func add(pid: pid_t) -> Bool {
        directories.allSatisfy { FileText.write($0 + "/cgroup.procs", "\(pid)") }
    }

    /// Whether the kernel's OOM killer fired in this group.
    func oomKilled() -> Bool {
        let file = version == 1 ? "/memory.oom_control" : "/memory.events"
        for dir in directories {
            guard let text = FileText.read(dir + file) else { continue }
            for line in text.split(separator: "\n") where line.hasPrefix("oom_kill ") {
                if let n = Int(line.dropFirst("oom_kill ".count)), n > 0 { return true }
            }
            if version == 1, let fails = FileText.read(dir + "/memory.failcnt").flatMap({ Int($0.trimmingWhitespace) }), fails > 0 {
                return true
            }
        }
        return false
    }

    /// Removes the group; retried briefly because the kernel frees it after the last task exits.
    func remove() {
        for dir in directories {
            for _ in 0..<50 {
                if rmdir(dir) == 0 || errno == ENOENT { break }
                usleep(2_000)
            }
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
