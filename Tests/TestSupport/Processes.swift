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
}
