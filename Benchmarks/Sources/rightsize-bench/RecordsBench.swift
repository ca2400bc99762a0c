import ArgumentParser
import Foundation
import JSON
import NDJSONIO
import RecordSchema

/// Decode and encode throughput of the NDJSON records every stage reads and writes.
struct RecordsBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "records", abstract: "NDJSON record decode/encode rate.")

    @Option(help: "Number of log records to generate, write and read back.")
    var count = 1_000_000

    func run() throws {
        let call = ScheduledCall(
            run: "bench", seq: 0, phase: 2, memoryMB: 512, instance: "cpu", application: "faas_measure", atS: 3.217,
            target: .lambda(function: "faas_measure", region: "us-east-1", invocationType: "RequestResponse", qualifier: nil),
            payload: try RawJSON(parsing: #"{"cmds":{"cpu":{"n":100000}}}"#), payloadIndex: 0, seed: 42)
        let invocation = Invocation(
            call: call, phaseStartUnixMs: 1_764_000_000_000.125, sentUnixMs: 1_764_000_003_217.5,
            lagMs: 0.231, latencyMs: 41.873, scheduledLatencyMs: 42.104, httpStatus: 200,
            requestId: "0b7c2f52-8a3e-4c41-9d55-1f6e3a9b2c71", attempts: 1, responseBytes: 187)
        let log = LogRecord(
            invocation: invocation,
            report: Report(
                requestId: "0b7c2f52-8a3e-4c41-9d55-1f6e3a9b2c71", durationMs: 38.42, billedMs: 39,
                memoryMB: 512, maxMemoryMB: 71, initMs: nil, status: .success),
            logStream: "2026/11/24/[$LATEST]5e1f0c9a7b3d4e21", logTimestampUnixMs: 1_764_000_003_260, joinedBy: .requestId)

        let path = NSTemporaryDirectory() + "rightsize-records-bench-\(getpid()).ndjson"
        defer { unlink(path) }
        var start = Date()
        var writer = NDJSONWriter(try OutputFile(path: path))
        var record = log
        for i in 0..<count {
            record.invocation.call.seq = i
            record.report.durationMs = 38.42 + Double(i % 97) * 0.013
            try writer.write(.log(record))
        }
        try writer.finish()
        let writeSeconds = Date().timeIntervalSince(start)
        let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0

        start = Date()
        var decoded = 0
        var checksum = 0.0
        try NDJSONReader(path: path).forEachRecord { _, r in
            if case .log(let l) = r {
                decoded += 1
                checksum += l.report.durationMs
            }
        }
        let readSeconds = Date().timeIntervalSince(start)
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        print("records: \(count) log records, \(bytes / count) bytes/line")
        print(String(format: "  encode+write: %.0f records/s (%.2f s)", Double(count) / writeSeconds, writeSeconds))
        print(
            String(
                format: "  read+decode:  %.0f records/s (%.2f s, %.2f µs/record)", Double(decoded) / readSeconds, readSeconds,
                readSeconds / Double(decoded) * 1e6))
        print("  peak RSS: \(usage.ru_maxrss / 1024) MB (checksum \(Int(checksum)))")
    }
}
