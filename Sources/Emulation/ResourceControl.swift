import Foundation
import ToolSupport

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
    /// The CFS period for a memory size. Below one vCPU it is short, because a call's wall
    /// time is off by up to ~1.5 periods depending on where in a period it starts (a fixed
    /// 100 ms period distorts 50-500 ms calls by 10-50%): the quota is 1.5 ms (the kernel's
    /// minimum is 1 ms, which leaks ~10% more CPU; period 20.7 ms at 128 MB), but the period
    /// at least 5 ms, as shorter periods measurably lose CPU to enforcement. From 1769 MB (a whole core or more, which a
    /// single thread cannot exceed) the usual 100 ms.
    static func cpuPeriod(memoryMB: Int) -> (period: Int, quota: Int) {
        let share = cpuShare(memoryMB: memoryMB)
        let period = share >= 1 ? 100_000 : max(5000, Int((1500 / share).rounded(.up)))
        return (period, max(1000, Int((Double(period) * share).rounded())))
    }

    init(mode: IsolationMode) {
        let name = "lambda-emulator-\(getpid())"
        guard mode != .dutyCycle else {
            kind = .none
            return
        }
        Self.removeStaleGroups()
        let v1cpu = "/sys/fs/cgroup/cpu"
        let v1mem = "/sys/fs/cgroup/memory"
        if access(v1cpu + "/cpu.cfs_quota_us", F_OK) == 0, access(v1mem + "/memory.limit_in_bytes", F_OK) == 0,
            Self.makeDirectory(v1cpu + "/" + name), Self.makeDirectory(v1mem + "/" + name)
        {
            kind = .cgroupV1(cpu: v1cpu + "/" + name, memory: v1mem + "/" + name)
            // A Lambda vCPU is dedicated: weight the workers well above the host's other
            // processes so that background load disturbs the measured physics less.
            FileText.write(v1cpu + "/" + name + "/cpu.shares", "\(1024 * 16)")
            return
        }
        let v2 = "/sys/fs/cgroup"
        if let controllers = FileText.read(v2 + "/cgroup.controllers"),
            controllers.contains("cpu"), controllers.contains("memory"),
            Self.makeDirectory(v2 + "/" + name)
        {
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

    /// Removes the cgroups of emulators that are gone (killed with SIGKILL, so they could not
    /// clean up), ending first whatever their environments left running: a built-in worker
    /// exits by itself when its emulator dies, a user's runtime need not.
    static func removeStaleGroups() {
        for root in ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/memory", "/sys/fs/cgroup"] {
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root) else { continue }
            for entry in entries where DeadOwners.isLeftover(entry, prefix: "lambda-emulator-") {
                let dir = root + "/" + entry
                for child in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where child.hasPrefix("env-") {
                    let group = EnvironmentGroup(directories: [dir + "/" + child], version: root == "/sys/fs/cgroup" ? 2 : 1)
                    group.killAll()
                    group.remove()
                }
                rmdir(dir)
            }
        }
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
        let (period, quota) = Self.cpuPeriod(memoryMB: memoryMB)
        let bytes = memoryMB * 1_048_576
        switch kind {
        case .none:
            return nil
        case .cgroupV1(let cpu, let memory):
            let c = cpu + "/" + id
            let m = memory + "/" + id
            guard Self.makeDirectory(c), Self.makeDirectory(m),
                FileText.write(c + "/cpu.cfs_period_us", "\(period)"),
                FileText.write(c + "/cpu.cfs_quota_us", "\(quota)"),
                FileText.write(m + "/memory.limit_in_bytes", "\(bytes)")
            else {
                rmdir(c)
                rmdir(m)
                return nil
            }
            FileText.write(m + "/memory.swappiness", "0")
            return EnvironmentGroup(directories: [c, m], version: 1)
        case .cgroupV2(let root):
            let d = root + "/" + id
            guard Self.makeDirectory(d),
                FileText.write(d + "/cpu.max", "\(quota) \(period)"),
                FileText.write(d + "/memory.max", "\(bytes)")
            else {
                rmdir(d)
                return nil
            }
            FileText.write(d + "/memory.swap.max", "0")
            // An OOM kill ends the whole environment, as on Lambda, not just its largest process
            // (a user runtime's child), which would leave a runtime running without its work.
            FileText.write(d + "/memory.oom.group", "1")
            return EnvironmentGroup(directories: [d], version: 2)
        }
    }

    /// Removes the emulator's own cgroup directories (after every worker is gone).
    /// Removes the emulator's cgroups. An environment's own group may still be being removed
    /// by the thread that saw its worker die (after its waitpid), so leftover `env-*` groups
    /// are removed here too, retrying while the kernel still counts a dying task.
    func removeAll() {
        let roots: [String]
        switch kind {
        case .none: roots = []
        case .cgroupV1(let cpu, let memory): roots = [cpu, memory]
        case .cgroupV2(let root): roots = [root]
        }
        for root in roots {
            for _ in 0..<250 {
                for child in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] where child.hasPrefix("env-") {
                    rmdir(root + "/" + child)
                }
                if rmdir(root) == 0 || errno == ENOENT { break }
                usleep(2_000)
            }
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

    /// Whether the kernel's OOM killer fired in this group (on v1 also: the limit was hit, the
    /// fail count, for a process that ended at the limit before a kill was counted).
    func oomKilled() -> Bool {
        if oomKills() > 0 { return true }
        return version == 1
            && directories.contains { dir in
                FileText.read(dir + "/memory.failcnt").flatMap { Int($0.trimmingWhitespace) }.map { $0 > 0 } ?? false
            }
    }

    /// The kernel's OOM kills in this group so far (`oom_kill` of v1's `memory.oom_control`,
    /// v2's `memory.events`): unlike `oomKilled`, not the v1 fail count, which also grows when
    /// page cache is reclaimed at the limit while nothing is killed.
    func oomKills() -> Int {
        let file = version == 1 ? "/memory.oom_control" : "/memory.events"
        var kills = 0
        for dir in directories {
            for line in (FileText.read(dir + file) ?? "").split(separator: "\n") where line.hasPrefix("oom_kill ") {
                kills = max(kills, Int(line.dropFirst("oom_kill ".count)) ?? 0)
            }
        }
        return kills
    }

    /// The processes in the group now.
    func processes() -> [pid_t] {
        guard let dir = directories.last else { return [] }
        return (FileText.read(dir + "/cgroup.procs") ?? "").split(separator: "\n").compactMap { pid_t($0) }
    }

    /// Kills every process in the group: on v2 with `cgroup.kill` (Linux 5.14+), else by
    /// SIGKILL to each pid in `cgroup.procs` until none is left (a process may fork meanwhile).
    func killAll() {
        guard let dir = directories.first else { return }
        if version == 2, FileText.write(dir + "/cgroup.kill", "1") { return }
        for _ in 0..<100 {
            let pids = (FileText.read(dir + "/cgroup.procs") ?? "").split(separator: "\n").compactMap { pid_t($0) }
            if pids.isEmpty { return }
            for pid in pids { kill(pid, SIGKILL) }
            usleep(1_000)
        }
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
