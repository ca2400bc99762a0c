import Foundation

extension LocalEmulator {
    /// Starts an emulator serving the functions of `config` (JSON text, written into `dir`).
    public static func start(_ arguments: [String], config: String, in dir: TemporaryDirectory) throws -> LocalEmulator {
        try dir.write("functions.json", config)
        return try start(arguments + ["--config", dir.file("functions.json")])
    }
}

/// The functions whose physics EmulationTests (memory, timeouts) and AcceptanceTests (CPU
/// share, run times) measure on real worker processes.
public enum PhysicsFixture {
    public static let config = """
        { "functions": [
            { "name": "m128", "handler": "faas_measure", "memory_mb": 128, "timeout_s": 60 },
            { "name": "m1024", "handler": "faas_measure", "memory_mb": 1024, "timeout_s": 60 },
            { "name": "m1769", "handler": "faas_measure", "memory_mb": 1769, "timeout_s": 60 },
            { "name": "m3008", "handler": "faas_measure", "memory_mb": 3008, "timeout_s": 60 },
            { "name": "s128", "handler": "sleep", "memory_mb": 128, "timeout_s": 60 },
            { "name": "s1769", "handler": "sleep", "memory_mb": 1769, "timeout_s": 60 },
            { "name": "t1", "handler": "faas_measure", "memory_mb": 512, "timeout_s": 1 } ] }
        """

    /// An emulator serving `config`, and the directory holding it (remove it after stopping).
    public static func start(_ extra: [String] = []) throws -> (LocalEmulator, TemporaryDirectory) {
        let dir = try TemporaryDirectory("emulator-physics")
        return (try LocalEmulator.start(extra, config: config, in: dir), dir)
    }
}

/// An invocation's log as `X-Amz-Log-Type: Tail` returns it (base64 in `X-Amz-Log-Result`).
public enum TailLog {
    public static func decode(_ base64: String?) -> String {
        guard let base64, let data = Data(base64Encoded: base64) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The REPORT line's fields (`Duration` -> "26.73 ms", ...).
    public static func report(_ log: String) -> [String: String] {
        guard let line = log.split(separator: "\n").first(where: { $0.hasPrefix("REPORT ") }) else { return [:] }
        var fields: [String: String] = [:]
        for part in line.dropFirst("REPORT ".count).split(separator: "\t") {
            guard let colon = part.firstIndex(of: ":") else { continue }
            fields[String(part[..<colon])] = part[part.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// The number of a field ("26.73 ms" -> 26.73).
    public static func number(_ value: String?) -> Double? { value.flatMap { Double($0.split(separator: " ").first ?? "") } }
}
