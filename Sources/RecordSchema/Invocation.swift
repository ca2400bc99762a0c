import JSON

/// How a call ended, as far as the client can tell.
public enum CallError: String, Sendable, CaseIterable {
    /// 429 TooManyRequestsException (Lambda) or a gateway 429.
    case throttled
    /// No response within the request timeout.
    case timeout
    /// Connection refused, reset, DNS, TLS... (no HTTP response).
    case transport
    /// An HTTP error status other than throttling (4xx/5xx).
    case http
    /// Never sent: the run was interrupted before this call's time.
    case notSent = "not_sent"
}

/// One line of invocations.ndjson: a scheduled call plus what happened to it.
/// invoke writes exactly one per scheduled call, sent or not.
public struct Invocation: Hashable, Sendable {
    public var call: ScheduledCall
    /// Wall-clock start of the call's phase; the call was due at phase start + at_s.
    public var phaseStartUnixMs: Double
    /// When the request left (null when never sent).
    public var sentUnixMs: Double?
    /// sent - scheduled, ms: how late the client was.
    public var lagMs: Double?
    /// Response received - sent, ms.
    public var latencyMs: Double?
    /// Response received - scheduled, ms (latency without coordinated omission).
    public var scheduledLatencyMs: Double?
    /// HTTP status of the last attempt (null when there was no response).
    public var httpStatus: Int?
    /// x-amzn-RequestId: Lambda's request id for Invoke; the gateway's for HTTP targets.
    public var requestId: String?
    /// X-Amz-Function-Error (Unhandled / Handled) when the function failed.
    public var functionError: String?
    public var error: CallError?
    public var errorMessage: String?
    public var attempts: Int
    public var responseBytes: Int
    /// The closed-loop slot that sent the call, 0 ..< concurrency (nil for open-loop calls).
    public var slot: Int?
    /// The kept response fields (`response_fields`), in the schedule's order; a field the
    /// response lacks is JSON null. Empty when none are kept or there was no response.
    public var responseValues: [ResponseValue]

    public init(
        call: ScheduledCall, phaseStartUnixMs: Double, sentUnixMs: Double? = nil, lagMs: Double? = nil,
        latencyMs: Double? = nil, scheduledLatencyMs: Double? = nil, httpStatus: Int? = nil,
        requestId: String? = nil, functionError: String? = nil, error: CallError? = nil,
        errorMessage: String? = nil, attempts: Int = 0, responseBytes: Int = 0, slot: Int? = nil,
        responseValues: [ResponseValue] = []
    ) {
        self.call = call
        self.phaseStartUnixMs = phaseStartUnixMs
        self.sentUnixMs = sentUnixMs
        self.lagMs = lagMs
        self.latencyMs = latencyMs
        self.scheduledLatencyMs = scheduledLatencyMs
        self.httpStatus = httpStatus
        self.requestId = requestId
        self.functionError = functionError
        self.error = error
        self.errorMessage = errorMessage
        self.attempts = attempts
        self.responseBytes = responseBytes
        self.slot = slot
        self.responseValues = responseValues
    }

    /// The call reached the function and answered, so a REPORT line is expected for it and
    /// can be joined. A client-side timeout may still run and log, but with no response
    /// there is no request id to join it by: its REPORT line counts as unmatched.
    public var reachedFunction: Bool {
        guard sentUnixMs != nil, let status = httpStatus else { return false }
        switch error {
        case nil: return status < 400
        case .http: return status >= 500 && functionError != nil  // a function error surfaced as 5xx
        case .throttled, .notSent, .transport, .timeout: return false
        }
    }

    static let placeholder = Invocation(call: .placeholder, phaseStartUnixMs: .nan)

    func writeFields(to w: inout JSONWriter) {
        call.writeFields(to: &w)
        w.key("phase_start_unix_ms")
        w.number(phaseStartUnixMs, decimals: 3)
        w.key("sent_unix_ms")
        w.number(sentUnixMs, decimals: 3)
        w.key("lag_ms")
        w.number(lagMs, decimals: 3)
        w.key("latency_ms")
        w.number(latencyMs, decimals: 3)
        w.key("scheduled_latency_ms")
        w.number(scheduledLatencyMs, decimals: 3)
        w.key("http_status")
        w.int(httpStatus)
        w.key("request_id")
        w.string(requestId)
        w.key("function_error")
        w.string(functionError)
        w.key("error")
        w.string(error?.rawValue)
        if let errorMessage {
            w.key("error_message")
            w.string(errorMessage)
        }
        w.key("attempts")
        w.int(attempts)
        w.key("response_bytes")
        w.int(responseBytes)
        if let slot {
            w.key("loop_slot")
            w.int(slot)
        }
        if !responseValues.isEmpty {
            w.key("response_values")
            w.beginObject()
            for v in responseValues {
                w.key(v.pointer)
                w.raw(v.value)
            }
            w.endObject()
        }
    }

    mutating func readField(_ key: RecordKey, _ s: inout JSONScanner) throws -> Bool {
        func optDouble(_ s: inout JSONScanner) throws -> Double? { s.readNull() ? nil : try s.readDouble() }
        func optString(_ s: inout JSONScanner) throws -> String? { s.readNull() ? nil : try s.readString() }
        switch key {
        case .phaseStartUnixMs: phaseStartUnixMs = try s.readDouble()
        case .sentUnixMs: sentUnixMs = try optDouble(&s)
        case .lagMs: lagMs = try optDouble(&s)
        case .latencyMs: latencyMs = try optDouble(&s)
        case .scheduledLatencyMs: scheduledLatencyMs = try optDouble(&s)
        case .httpStatus: httpStatus = s.readNull() ? nil : try s.readInt()
        case .requestId: requestId = try optString(&s)
        case .functionError: functionError = try optString(&s)
        case .error:
            if let text = try optString(&s) {
                guard let e = CallError(rawValue: text) else {
                    throw FieldFailure(field: "error", problem: "unknown error kind \"\(text)\"")
                }
                error = e
            } else {
                error = nil
            }
        case .errorMessage: errorMessage = try optString(&s)
        case .attempts: attempts = try s.readInt()
        case .responseBytes: responseBytes = try s.readInt()
        case .loopSlot: slot = s.readNull() ? nil : try s.readInt()
        case .responseValues:
            var values: [ResponseValue] = []
            try s.readObject { key, v in values.append(ResponseValue(pointer: key, value: try v.readRaw())) }
            responseValues = values
        default: return try call.readField(key, &s)
        }
        return true
    }

    func validate() throws {
        try call.validate()
        if !phaseStartUnixMs.isFinite { throw FieldFailure(field: "phase_start_unix_ms", problem: "missing") }
        if let slot, slot < 0 || call.loop == nil || slot >= call.loop!.concurrency {
            throw FieldFailure(field: "loop_slot", problem: "must be a slot of the call's closed loop, 0 ..< loop_concurrency")
        }
    }
}

/// One kept field of a function's JSON response: the pointer as the workload wrote it and
/// the value found there (compact JSON; null when the response had no such field).
public struct ResponseValue: Hashable, Sendable {
    public var pointer: String
    public var value: RawJSON

    public init(pointer: String, value: RawJSON) {
        self.pointer = pointer
        self.value = value
    }
}
