import Foundation

/// Who is answering, as a function sees it from inside its worker: what faas_measure's `stat`
/// (`inst_id`, `vm_id`) and saaf_hello (`containerID`, `vmID`) report, so a caller can tell
/// whether two calls were served by the same execution environment or the same host.
enum EnvironmentIdentity {
    /// One per execution environment: the random 32-hex suffix of its log stream
    /// (`YYYY/MM/DD/[$LATEST]<suffix>`, from `AWS_LAMBDA_LOG_STREAM_NAME`), so it also joins
    /// a call to the log stream its REPORT line is in.
    static var instanceId: String {
        let stream = ProcessInfo.processInfo.environment["AWS_LAMBDA_LOG_STREAM_NAME"] ?? ""
        if let bracket = stream.lastIndex(of: "]") { return String(stream[stream.index(after: bracket)...]) }
        return "pid-\(getpid())"
    }

    /// One per host boot: the kernel's `boot_id`, the same in every environment of every
    /// emulator on this machine, as one Lambda host (VM) runs many environments.
    static let vmId: String = {
        guard let data = FileManager.default.contents(atPath: "/proc/sys/kernel/random/boot_id") else { return "unknown" }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }()
}
