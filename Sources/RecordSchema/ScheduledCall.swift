import JSON

/// One line of schedule.ndjson: a call to make at `atS` seconds after its phase starts.
public struct ScheduledCall: Hashable, Sendable {
    public var run: String
    /// Position in the whole schedule, 0-based, in time order.
    public var seq: Int
    /// Index of the memory phase, 0-based, in the order of `memory_sizes`.
    public var phase: Int
    public var memoryMB: Int
    public var instance: String
    public var application: String
    /// Offset from the start of the phase, in seconds.
    public var atS: Double
    public var target: Target
    public var payload: RawJSON
    public var payloadIndex: Int
    /// The run's seed (recorded so that any line says how to reproduce the run).
    public var seed: UInt64

    public init(
        run: String, seq: Int, phase: Int, memoryMB: Int, instance: String, application: String,
        atS: Double, target: Target, payload: RawJSON, payloadIndex: Int, seed: UInt64
    ) {
        self.run = run
        self.seq = seq
        self.phase = phase
        self.memoryMB = memoryMB
        self.instance = instance
        self.application = application
        self.atS = atS
        self.target = target
        self.payload = payload
        self.payloadIndex = payloadIndex
        self.seed = seed
    }

    static let placeholder = ScheduledCall(
        run: "", seq: -1, phase: -1, memoryMB: -1, instance: "", application: "",
        atS: .nan, target: .http(url: "", method: "", signed: false),
        payload: .emptyObject, payloadIndex: 0, seed: 0)

    func writeFields(to w: inout JSONWriter) {
        w.key("run")
        w.string(run)
        w.key("seq")
        w.int(seq)
        w.key("phase")
        w.int(phase)
        w.key("memory_mb")
        w.int(memoryMB)
        w.key("instance")
        w.string(instance)
        w.key("application")
        w.string(application)
        w.key("at_s")
        w.number(atS)
        w.key("target")
        target.write(to: &w)
        w.key("payload")
        w.raw(payload)
        w.key("payload_index")
        w.int(payloadIndex)
        w.key("seed")
        w.uint64(seed)
    }

    mutating func readField(_ key: RecordKey, _ s: inout JSONScanner) throws -> Bool {
        switch key {
        case .run: run = try s.readString()
        case .seq: seq = try s.readInt()
        case .phase: phase = try s.readInt()
        case .memoryMB: memoryMB = try s.readInt()
        case .instance: instance = try s.readString()
        case .application: application = try s.readString()
        case .atS: atS = try s.readDouble()
        case .target: target = try Target.read(&s)
        case .payload: payload = try s.readRaw()
        case .payloadIndex: payloadIndex = try s.readInt()
        case .seed: seed = try s.readUInt64()
        default: return false
        }
        return true
    }

    func validate() throws {
        if seq < 0 { throw FieldFailure(field: "seq", problem: "missing or negative") }
        if phase < 0 { throw FieldFailure(field: "phase", problem: "missing or negative") }
        if memoryMB < 128 || memoryMB > 10240 { throw FieldFailure(field: "memory_mb", problem: "missing or outside 128..10240") }
        if run.isEmpty { throw FieldFailure(field: "run", problem: "missing") }
        if application.isEmpty { throw FieldFailure(field: "application", problem: "missing") }
        if !atS.isFinite || atS < 0 { throw FieldFailure(field: "at_s", problem: "missing or negative") }
        if case .http(let url, _, _) = target, url.isEmpty { throw FieldFailure(field: "target", problem: "missing") }
    }
}
