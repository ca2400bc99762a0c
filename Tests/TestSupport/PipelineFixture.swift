import Foundation
import NDJSONIO
import RecordSchema

/// Shared by EndToEndTests (structure, caching, cleanup) and AcceptanceTests (the fitted
/// models' accuracy on the live emulator), which run the same pipeline.
///
/// A short version of data/example.json (a CPU-bound and a sleep-bound function, five
/// memory sizes: with four, leaving out an end size extrapolates too far for a stable
/// cross-validated error) so the whole pipeline runs in well under a minute on two cores.
public enum PipelineFixture {
    public static let memorySizes = [128, 256, 512, 1024, 1769]

    public static func workload(name: String) -> String {
        """
        {
          "test_name": "\(name)",
          "test_duration_in_seconds": 4,
          "random_seed": 11,
          "target": "local",
          "memory_sizes": [128, 256, 512, 1024, 1769],
          "instances": {
            "cpu": { "application": "faas_measure", "distribution": "Uniform", "rate": 3, "payload": "cpu.json" },
            "sleep": { "application": "faas_sleep", "distribution": "Uniform", "rate": 3, "payload": "sleep.json" }
          }
        }
        """
    }

    /// Writes the workload and its payloads into `dir`; returns the workload's path.
    public static func write(into dir: TemporaryDirectory, name: String) throws -> String {
        try dir.write("cpu.json", #"{"cmds": {"cpu": {"n": 150}}}"#)
        try dir.write("sleep.json", #"{"ms": 60}"#)
        try dir.write("w.json", workload(name: name))
        return dir.file("w.json")
    }

    /// Emulator options for fast tests: short propagation and update delays.
    public static let emulatorFlags = "--log-delay-ms 300 --update-delay-ms 200"
    public static let awaitFlags = "--poll-interval 0.5 --timeout 120"

    /// make -f pipeline.mk with the debug tools `swift test` built.
    public static func make(
        _ arguments: [String], runDirectory: String, workload: String,
        extra: [String: String] = [:]
    ) throws -> Tools.Result {
        var args = [
            "-f", PackageRoot.path + "/pipeline.mk", "--no-print-directory",
            "BIN=\(Tools.productsDirectory.path)", "WORKLOAD=\(workload)", "RUN_DIR=\(runDirectory)",
            "EMULATOR_FLAGS=\(emulatorFlags)", "AWAIT_FLAGS=\(awaitFlags)",
            // Never the working tree's runs/history.db: next to the run folder (extra may override it).
            "HISTORY=\(runDirectory).history.db",
        ]
        args += extra.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        args += arguments
        return try Tools.run("/usr/bin/make", args, currentDirectory: PackageRoot.path)
    }

    /// The records of one NDJSON file.
    public static func records(_ path: String) throws -> [Record] {
        var out: [Record] = []
        try NDJSONReader(path: path).forEachRecord { _, r in out.append(r) }
        return out
    }

    /// Processes whose command line mentions `needle` (to find leftovers).
    public static func processes(matching needle: String) -> [String] { Processes.matching(needle) }
}
