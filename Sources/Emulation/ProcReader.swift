import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The host-wide figures of /proc that saaf_hello reports (SAAF's Inspector reads the same files).
enum ProcReader {
    /// The first line of /proc/stat (all CPUs), in ms, plus boot time and context switches.
    struct CPUTimes {
        /// user, nice, system, idle, iowait, irq, softirq, steal, guest, guest_nice.
        var millisecondsPerField: [Double]
        var bootTime: Int?
        var contextSwitches: Int?
    }

    static func cpuTimes() -> CPUTimes {
        let text = FileText.read("/proc/stat") ?? ""
        let msPerTick = 1000 / Double(max(1, sysconf(Int32(_SC_CLK_TCK))))
        var times = CPUTimes(millisecondsPerField: Array(repeating: 0, count: SAAFHello.cpuFields.count))
        for line in text.split(separator: "\n") {
            let columns = line.split(separator: " ")
            guard let title = columns.first else { continue }
            switch title {
            case "cpu":
                for (i, column) in columns.dropFirst().prefix(times.millisecondsPerField.count).enumerated() {
                    times.millisecondsPerField[i] = (Double(column) ?? 0) * msPerTick
                }
            case "btime": times.bootTime = columns.dropFirst().first.flatMap { Int($0) }
            case "ctxt": times.contextSwitches = columns.dropFirst().first.flatMap { Int($0) }
            default: break
            }
        }
        return times
    }

    /// /proc/meminfo in kB (`MemTotal`, `MemFree`, ...).
    static func meminfo() -> [String: Int] {
        var values: [String: Int] = [:]
        for line in (FileText.read("/proc/meminfo") ?? "").split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            values[String(parts[0])] = parts[1].split(separator: " ").first.flatMap { Int($0) }
        }
        return values
    }

    /// /proc/vmstat's counters (`pgfault`, `pgmajfault`, ...).
    static func vmstat() -> [String: Int] {
        var values: [String: Int] = [:]
        for line in (FileText.read("/proc/vmstat") ?? "").split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            values[String(parts[0])] = Int(parts[1])
        }
        return values
    }

    /// /proc/cpuinfo: one `key: value` map per processor.
    static func cpuinfo() -> [[String: String]] {
        var processors: [[String: String]] = []
        for block in (FileText.read("/proc/cpuinfo") ?? "").components(separatedBy: "\n\n") {
            var fields: [String: String] = [:]
            for line in block.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else { continue }
                fields[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1].trimmingCharacters(in: .whitespaces)
            }
            if fields["processor"] != nil { processors.append(fields) }
        }
        return processors
    }
}
