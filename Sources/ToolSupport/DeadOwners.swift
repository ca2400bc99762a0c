#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files and folders named after the process that made them (`.NAME.tmp.<pid>`,
/// `lambda-emulator-<pid>`): what a `kill -9` leaves behind, to be removed once that
/// process is gone.
public enum DeadOwners {
    /// Whether `name` is `prefix` + a pid of a process that no longer exists (never this one).
    public static func isLeftover(_ name: String, prefix: String) -> Bool {
        guard name.hasPrefix(prefix), let pid = pid_t(name.dropFirst(prefix.count)), pid != getpid() else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
