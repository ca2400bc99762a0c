/// Every key of the flat schedule / invocation / log lines, for table dispatch in decoding.
/// The raw values are the wire names (docs/records.md).
public enum RecordKey: String, CaseIterable, Sendable {
    case record
    // schedule
    case run, seq, phase, instance, application, target, payload, seed
    case memoryMB = "memory_mb", atS = "at_s", payloadIndex = "payload_index"
    // invocation
    case phaseStartUnixMs = "phase_start_unix_ms", sentUnixMs = "sent_unix_ms", lagMs = "lag_ms"
    case latencyMs = "latency_ms", scheduledLatencyMs = "scheduled_latency_ms", httpStatus = "http_status"
    case requestId = "request_id", functionError = "function_error", error, errorMessage = "error_message"
    case attempts, responseBytes = "response_bytes"
    // log
    case reportRequestId = "report_request_id", durationMs = "duration_ms", billedMs = "billed_ms"
    case reportMemoryMB = "report_memory_mb", maxMemoryMB = "max_memory_mb", initMs = "init_ms"
    case restoreMs = "restore_ms", billedRestoreMs = "billed_restore_ms", status, errorType = "error_type"
    case xrayTraceId = "xray_trace_id", logStream = "log_stream", logTimestampUnixMs = "log_timestamp_unix_ms"
    case joinedBy = "joined_by"
}
