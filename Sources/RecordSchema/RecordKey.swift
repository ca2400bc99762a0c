/// Every key of the flat schedule / invocation / log lines, for table dispatch in decoding.
/// The raw values are the wire names (docs/records.md).
public enum RecordKey: String, CaseIterable, Sendable {
    case record
    // schedule
    case run, seq, phase, instance, application, target, payload, seed
    case memoryMB = "memory_mb"
    case atS = "at_s"
    case payloadIndex = "payload_index"
    case loopConcurrency = "loop_concurrency"
    case loopStep = "loop_step"
    case loopOrder = "loop_order"
    case idleS = "idle_s"
    case cold
    case responseFields = "response_fields"
    // invocation
    case phaseStartUnixMs = "phase_start_unix_ms"
    case sentUnixMs = "sent_unix_ms"
    case lagMs = "lag_ms"
    case latencyMs = "latency_ms"
    case scheduledLatencyMs = "scheduled_latency_ms"
    case httpStatus = "http_status"
    case requestId = "request_id"
    case functionError = "function_error"
    case error
    case errorMessage = "error_message"
    case attempts
    case responseBytes = "response_bytes"
    case loopSlot = "loop_slot"
    case responseValues = "response_values"
    // log
    case reportRequestId = "report_request_id"
    case durationMs = "duration_ms"
    case billedMs = "billed_ms"
    case reportMemoryMB = "report_memory_mb"
    case maxMemoryMB = "max_memory_mb"
    case initMs = "init_ms"
    case restoreMs = "restore_ms"
    case billedRestoreMs = "billed_restore_ms"
    case status
    case errorType = "error_type"
    case xrayTraceId = "xray_trace_id"
    case logStream = "log_stream"
    case logTimestampUnixMs = "log_timestamp_unix_ms"
    case joinedBy = "joined_by"
}
