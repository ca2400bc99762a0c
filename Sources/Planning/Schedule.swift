import Hashing
import HeapModule
import RecordSchema
import ToolSupport

/// A workload ready to be expanded into schedule.ndjson (docs/plan.md).
///
/// The schedule is never held in memory: each phase merges the instances' arrival
/// streams with a heap, and the header's call count comes from a counting pass over
/// the same deterministic streams.
public struct Schedule: Sendable {
    public let workload: Workload
    public let seed: UInt64
    public let seedGenerated: Bool
    public let generator: Generator
    public let workloadSHA256: String

    /// `seed` overrides the workload's; with `.faasprofiler` the seed must fit 32 bits (`load` checks it).
    public init(workload: Workload, workloadSHA256: String, generator: Generator, seed: UInt64? = nil) {
        self.workload = workload
        self.workloadSHA256 = workloadSHA256
        self.generator = generator
        if let s = seed ?? workload.seed {
            self.seed = s
            seedGenerated = false
        } else {
            // A fresh seed below 2^32, so it also suits --compat faasprofiler and is easy to retype.
            var system = SystemRandomNumberGenerator()
            self.seed = UInt64(UInt32.random(in: 0...UInt32.max, using: &system))
            seedGenerated = true
        }
    }

    /// The same workload at other memory sizes (plan --memory-sizes: an adaptive run's rounds),
    /// with the same seed and hash, so every round replays the same times and payloads.
    public func measuring(_ sizes: [Int]) -> Schedule {
        var w = workload
        w.memorySizes = sizes
        return Schedule(workload: w, workloadSHA256: workloadSHA256, generator: generator, seed: seed)
    }

    /// Reads and validates the workload at `path` ("-" or nil = standard input).
    public static func load(path: String?, generator: Generator) throws -> Schedule {
        let name = (path == nil || path == "-") ? "<stdin>" : path!
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path ?? "-")
        } catch let e as FileBytes.Failure {
            throw InputError(file: name, problem: "cannot read: \(e.reason)")
        }
        var directory = ""
        if let path, path != "-", let slash = path.lastIndex(of: "/") {
            directory = String(path[..<slash])
            if directory.isEmpty { directory = "/" }
        }
        let workload = try WorkloadParser(file: name, baseDirectory: directory).parse(bytes)
        if generator == .faasprofiler, let seed = workload.seed, seed > UInt64(UInt32.max) {
            throw InputError(
                file: name, line: workload.seedLine, field: "random_seed",
                problem: "--compat faasprofiler needs a seed from 0 to 4294967295 (numpy's legacy seeding), got \(seed)")
        }
        return Schedule(workload: workload, workloadSHA256: SHA256.hex(bytes), generator: generator)
    }

    /// The arrival stream of instance `index` (instances are sorted by name).
    public func stream(instance index: Int) -> ArrivalStream {
        ArrivalStream.make(for: workload.instances[index], seed: seed, durationS: workload.durationS, generator: generator)
    }

    /// Calls per phase (every phase replays the same times).
    public func callsPerPhase() -> Int {
        workload.instances.indices.reduce(0) { $0 + callsPerPhase(instance: $1) }
    }

    /// Calls per phase of instance `index` (a counting pass over its stream).
    public func callsPerPhase(instance index: Int) -> Int {
        if case .closedLoop(let loop) = workload.instances[index].arrivals { return loop.callsPerPhase }
        var total = 0
        let s = stream(instance: index)
        while s.next() != nil { total += 1 }
        return total
    }

    public func header(scheduled: Int) -> RunHeader {
        RunHeader(
            run: workload.testName, seed: seed, seedGenerated: seedGenerated, workloadSHA256: workloadSHA256,
            workload: workload.normalizedJSON, memorySizes: workload.memorySizes, scheduled: scheduled,
            generator: generator.rawValue, tools: ["plan \(RightsizeVersion.current)"], traces: traceDigests)
    }

    /// The trace files of the instances that replay one, in instance order.
    var traceDigests: [TraceDigest] {
        workload.instances.compactMap { instance in
            guard case .trace(let t) = instance.arrivals else { return nil }
            return TraceDigest(instance: instance.name, format: t.format.rawValue, file: t.file, sha256: t.sha256, intervalS: t.intervalS)
        }
    }

    /// The target of instance `index`, with its payload cycle, as schedule lines carry them.
    func call(instance index: Int, phase: Int, seq: Int, atS: Double, payloadIndex: Int, loop: LoopPosition? = nil) -> ScheduledCall {
        let instance = workload.instances[index]
        return ScheduledCall(
            run: workload.testName, seq: seq, phase: phase, memoryMB: workload.memorySizes[phase],
            instance: instance.name, application: instance.application, atS: atS,
            target: instance.target, payload: instance.payloads[payloadIndex],
            payloadIndex: payloadIndex, seed: seed, loop: loop, cold: instance.cold,
            responseFields: instance.responseFields)
    }

    /// Every call in file order: phases in order of memory_sizes; inside a phase, times
    /// merged across instances, equal times in instance-name order.
    public func makeCursor() -> CallCursor { CallCursor(schedule: self) }

    /// Every call as a record (convenient for tests; `write` is the fast path).
    public func calls() -> [ScheduledCall] {
        var out: [ScheduledCall] = []
        var cursor = makeCursor()
        while let c = cursor.next() {
            out.append(call(instance: c.instance, phase: c.phase, seq: c.seq, atS: c.atS, payloadIndex: c.payloadIndex, loop: c.loop))
        }
        return out
    }
}

/// Walks a schedule call by call, holding one pending time per instance.
public struct CallCursor {
    public struct Call: Equatable, Sendable {
        public var instance: Int
        public var phase: Int
        public var seq: Int
        public var atS: Double
        public var payloadIndex: Int
        /// A closed loop's call: where it stands in the loop.
        public var loop: LoopPosition? = nil
    }

    let schedule: Schedule
    var phase = -1
    var seq = 0
    var streams: [ArrivalStream] = []
    var pickers: [PayloadPicker] = []
    var heap: Heap<Arrival>
    /// Per instance, calls per phase when its payload order needs the count (else 0).
    let callsPerPhase: [Int]

    init(schedule: Schedule) {
        self.schedule = schedule
        heap = Heap<Arrival>()
        callsPerPhase = schedule.workload.instances.indices.map { i in
            schedule.workload.instances[i].payloadOrder == .cycle ? 0 : schedule.callsPerPhase(instance: i)
        }
    }

    /// Starts the next phase with fresh streams: every phase replays the same times.
    mutating func startPhase() -> Bool {
        phase += 1
        guard phase < schedule.workload.memorySizes.count else { return false }
        let count = schedule.workload.instances.count
        streams = (0..<count).map { schedule.stream(instance: $0) }
        pickers = schedule.workload.instances.enumerated().map { i, instance in
            PayloadPicker(
                order: instance.payloadOrder, count: instance.payloads.count, callsPerPhase: callsPerPhase[i],
                seed: schedule.seed, instance: instance.name)
        }
        for i in 0..<count { if let t = streams[i].next() { heap.insert(Arrival(time: t, owner: i)) } }
        return true
    }

    public mutating func next() -> Call? {
        while heap.isEmpty {
            if !startPhase() { return nil }
        }
        let top = heap.min!
        let (t, i) = (top.time, top.owner)
        // The position belongs to the time just taken; read it before the stream moves on.
        let loop = (streams[i] as? ClosedLoopArrivals)?.position
        if let following = streams[i].next() {
            heap.replaceMin(with: Arrival(time: following, owner: i))
        } else {
            _ = heap.popMin()
        }
        let call = Call(instance: i, phase: phase, seq: seq, atS: t, payloadIndex: pickers[i].next(), loop: loop)
        seq += 1
        return call
    }
}

/// The next arrival of one instance's stream: the k-way merge orders them by (time, index),
/// so ties are deterministic (instances are sorted by name).
struct Arrival: Comparable {
    var time: Double
    var owner: Int
    static func < (a: Arrival, b: Arrival) -> Bool { a.time < b.time || (a.time == b.time && a.owner < b.owner) }
}
