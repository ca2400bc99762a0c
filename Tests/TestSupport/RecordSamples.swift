import JSON
import RecordSchema

/// One of each record kind with every field set, for round-trip and projection tests.
public func encode(_ r: Record) -> String {
    var w = JSONWriter()
    r.write(to: &w)
    return w.text
}

public func decode(_ line: String) throws -> Record {
    var copy = line
    return try copy.withUTF8 { try Record.decode($0) }
}

public enum Samples {
    public static let call = ScheduledCall(
        run: "example", seq: 7, phase: 1, memoryMB: 256, instance: "cpu", application: "faas_measure", atS: 1.25,
        target: .lambda(function: "faas_measure", region: "us-east-1", invocationType: "RequestResponse", qualifier: nil),
        payload: try! RawJSON(parsing: #"{ "cmds": {"cpu": {"n": 10000}}, "s": "a\"b" }"#), payloadIndex: 0, seed: 42)

    public static let httpCall: ScheduledCall = {
        var c = call
        c.target = .http(url: "https://x.execute-api.us-east-2.amazonaws.com/default/pyaes?format=json", method: "POST", signed: true)
        return c
    }()

    public static let invocation = Invocation(
        call: call, phaseStartUnixMs: 1_700_000_000_000.5, sentUnixMs: 1_700_000_001_250.75, lagMs: 0.25,
        latencyMs: 31.5, scheduledLatencyMs: 31.75, httpStatus: 200, requestId: "3f0e6c3a-1b2c-4d5e-8f90-1234567890ab",
        functionError: nil, error: nil, attempts: 1, responseBytes: 120)

    public static let log = LogRecord(
        invocation: invocation,
        report: Report(
            requestId: "3f0e6c3a-1b2c-4d5e-8f90-1234567890ab", durationMs: 26.73, billedMs: 27, memoryMB: 256,
            maxMemoryMB: 75, initMs: 130.49, status: .success),
        logStream: "2026/11/24/[$LATEST]0123456789abcdef", logTimestampUnixMs: 1_700_000_001_290, joinedBy: .requestId)

    public static let header = RunHeader(
        run: "example", seed: 18_446_744_073_709_551_615, seedGenerated: true,
        workloadSHA256: String(repeating: "ab", count: 32),
        workload: try! RawJSON(parsing: #"{"test_name": "example"}"#),
        memorySizes: [128, 1769], scheduled: 10, generator: "rightsize", tools: ["plan 0.1.0"])
}
