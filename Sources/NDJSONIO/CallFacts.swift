import RecordSchema

/// The fields of a `log` or `invocation` line that fit and report use. Byte views point
/// into the line and are valid only while it is.
public struct CallFacts {
    public var label: UnsafeBufferPointer<UInt8>? = nil  // target.function or target.url (the function's name)
    public var instance: UnsafeBufferPointer<UInt8>? = nil
    public var memoryMB = -1
    public var atS = Double.nan
    public var phaseStartUnixMs = Double.nan
    public var sentUnixMs: Double?
    public var lagMs: Double?
    public var latencyMs: Double?
    public var scheduledLatencyMs: Double?
    public var httpStatus: Int?
    public var hasFunctionError = false
    public var error: CallError?
    /// A closed loop's call: sent when a slot was free, so it has no schedule to keep.
    public var inClosedLoop = false
    // REPORT fields (log lines only).
    public var durationMs = Double.nan
    public var billedMs = Double.nan
    public var reportMemoryMB = -1
    public var maxMemoryMB: Int?
    public var initMs: Double?
    public var status: ReportStatus?
    public var phase = -1
    /// The payload's compact JSON text.
    public var payload: UnsafeBufferPointer<UInt8>? = nil

    public init() {}

    /// The facts of a fully decoded record (the slow path), in the same form as the projection's.
    public static func with<T>(_ i: Invocation, _ r: Report?, _ body: (CallFacts) throws -> T) rethrows -> T {
        var label = i.call.target.label
        var instance = i.call.instance
        var payload = i.call.payload.text
        return try label.withUTF8 { l in
            try instance.withUTF8 { n in
                try payload.withUTF8 { p in
                    var f = CallFacts()
                    f.label = l
                    f.instance = n
                    f.payload = p
                    f.memoryMB = i.call.memoryMB
                    f.phase = i.call.phase
                    f.atS = i.call.atS
                    f.phaseStartUnixMs = i.phaseStartUnixMs
                    f.sentUnixMs = i.sentUnixMs
                    f.lagMs = i.lagMs
                    f.latencyMs = i.latencyMs
                    f.scheduledLatencyMs = i.scheduledLatencyMs
                    f.httpStatus = i.httpStatus
                    f.hasFunctionError = i.functionError != nil
                    f.error = i.error
                    f.inClosedLoop = i.call.loop != nil
                    if let r {
                        f.durationMs = r.durationMs
                        f.billedMs = r.billedMs
                        f.reportMemoryMB = r.memoryMB
                        f.maxMemoryMB = r.maxMemoryMB
                        f.initMs = r.initMs
                        f.status = r.status
                    }
                    return try body(f)
                }
            }
        }
    }
}
