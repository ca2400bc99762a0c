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
    /// Set for a call of a closed loop: sent when a slot is free, not at `atS` alone.
    public var loop: LoopPosition?
    /// Change the function's configuration before this call, so a new environment serves it.
    public var cold: Bool
    /// JSON pointers of the response fields to keep (the workload's `response_fields`).
    public var responseFields: [String]

    public init(
        run: String, seq: Int, phase: Int, memoryMB: Int, instance: String, application: String,
        atS: Double, target: Target, payload: RawJSON, payloadIndex: Int, seed: UInt64,
        loop: LoopPosition? = nil, cold: Bool = false, responseFields: [String] = []
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
        self.loop = loop
        self.cold = cold
        self.responseFields = responseFields
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
        // Written only when set, so open-loop schedules keep their bytes.
        if let loop {
            w.key("loop_concurrency")
            w.int(loop.concurrency)
            w.key("loop_step")
            w.int(loop.step)
            w.key("loop_order")
            w.int(loop.order)
            if let idle = loop.idleS {
                w.key("idle_s")
                w.number(idle)
            }
        }
        if cold {
            w.key("cold")
            w.bool(true)
        }
        if !responseFields.isEmpty {
            w.key("response_fields")
            w.beginArray()
            for f in responseFields { w.string(f) }
            w.endArray()
        }
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
        case .loopConcurrency: loop = LoopPosition(read: loop, concurrency: try s.readInt())
        case .loopStep: loop = LoopPosition(read: loop, step: try s.readInt())
        case .loopOrder: loop = LoopPosition(read: loop, order: try s.readInt())
        case .idleS: loop = LoopPosition(read: loop, idleS: try s.readDouble())
        case .cold: cold = try s.readBool()
        case .responseFields:
            var fields: [String] = []
            try s.readArray { _, e in fields.append(try e.readString()) }
            responseFields = fields
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
        if let loop {
            if loop.concurrency < 1 { throw FieldFailure(field: "loop_concurrency", problem: "missing or less than 1") }
            if loop.step < 0 { throw FieldFailure(field: "loop_step", problem: "missing or negative") }
            if loop.order < 0 { throw FieldFailure(field: "loop_order", problem: "missing or negative") }
            if let idle = loop.idleS, !(idle.isFinite && idle >= 0) {
                throw FieldFailure(field: "idle_s", problem: "must be 0 or more seconds")
            }
        }
    }
}

/// Where a call stands in a closed loop (docs/workload.md, "Closed loops"): its instance keeps
/// `concurrency` calls in flight, sending the calls of a phase in `order` as slots free up;
/// a ramp's steps run one after another, each with its own concurrency.
public struct LoopPosition: Hashable, Sendable {
    public var concurrency: Int
    /// The ramp step, 0-based (0 for a loop without a ramp).
    public var step: Int
    /// Position among the instance's calls in the phase, 0-based.
    public var order: Int
    /// A cold-start lifetime call: its slot waits this long after its previous call ended.
    public var idleS: Double?

    public init(concurrency: Int, step: Int, order: Int, idleS: Double? = nil) {
        self.concurrency = concurrency
        self.step = step
        self.order = order
        self.idleS = idleS
    }

    /// One key of a record read into the position so far (`validate` checks that all came).
    init(read so: LoopPosition?, concurrency: Int? = nil, step: Int? = nil, order: Int? = nil, idleS: Double? = nil) {
        var p = so ?? LoopPosition(concurrency: 0, step: -1, order: -1)
        if let concurrency { p.concurrency = concurrency }
        if let step { p.step = step }
        if let order { p.order = order }
        if let idleS { p.idleS = idleS }
        self = p
    }
}
