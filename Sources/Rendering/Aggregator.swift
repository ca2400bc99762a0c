import Hashing
import NDJSONIO
import RecordSchema
import ToolSupport

/// Builds one file's share of RunData while streaming it.
struct Aggregator {
    var data = RunData()
    /// Per function and per instance, by their slots in `functionSlots` and `instanceSlots`.
    var functionSlots = NameSlots(), functionList: [FunctionRun] = []
    var instanceSlots = NameSlots(), instanceList: [InstanceTimeline] = []
    /// The previous line's keys (CallProjection reads lines with the same keys faster).
    var keys = CallProjection.KeyLayout()

    static func read(path: String, logs: Bool, callsFromLogs: Bool) throws -> (data: RunData, sha256: String, bytes: Int) {
        var a = Aggregator()
        let name = path == "-" ? "<stdin>" : path
        // Hash the input in the same pass, so a gigabyte-sized file is read once.
        let hash = SHA256.Incremental()
        var bytes = 0
        try NDJSONReader(path: path).forEachLine(onRead: {
            hash.update($0)
            bytes += $0.count
        }) { number, line in
            do { try a.add(line, logs: logs, callsFromLogs: callsFromLogs) } catch let f as FieldFailure {
                throw InputError(file: name, line: number, field: f.field.isEmpty ? "record" : f.field, problem: f.problem)
            }
        }
        return (a.finish(), hash.finalizeHex(), bytes)
    }

    /// One line: the fast scanner when it understands the line, else the full decoder
    /// (which throws FieldFailure for a malformed line).
    mutating func add(_ line: UnsafeBufferPointer<UInt8>, logs: Bool, callsFromLogs: Bool) throws {
        if let (kind, facts) = CallProjection.scan(line, calls: !logs || callsFromLogs, keys: &keys) {
            switch kind {
            case .log where logs:
                addReport(facts, calls: callsFromLogs)
                // A cold start's time, for the trace-shape chart: the call part of the line is
                // read again for these few lines only, so log lines stay fast.
                if facts.initMs != nil {
                    if callsFromLogs {
                        addColdStart(facts)
                    } else if let (_, full) = CallProjection.scan(line, calls: true) {
                        addColdStart(full)
                    }
                }
            case .invocation where !logs: addCall(facts)
            default: break
            }
            return
        }
        addSlow(try Record.decode(line), logs: logs, callsFromLogs: callsFromLogs)
    }

    mutating func addSlow(_ record: Record, logs: Bool, callsFromLogs: Bool) {
        switch record {
        case .run(let h): if data.header == nil || logs { data.header = h }
        case .log(let l) where logs:
            CallFacts.with(l.invocation, l.report) { f in
                addReport(f, calls: callsFromLogs)
                if f.initMs != nil { addColdStart(f) }
            }
        case .invocation(let i) where !logs:
            CallFacts.with(i, nil) { addCall($0) }
        case .invokeSummary(let s): if data.invokeSummary == nil || !logs { data.invokeSummary = s }
        case .logWait(let w) where logs: data.logWaits.append(w)
        default: break
        }
    }

    mutating func function(_ label: UnsafeBufferPointer<UInt8>) -> Int {
        let (k, isNew) = functionSlots.slot(label)
        if isNew { functionList.append(FunctionRun(name: functionSlots.names[k])) }
        return k
    }

    mutating func instance(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let (k, isNew) = instanceSlots.slot(bytes)
        if isNew { instanceList.append(InstanceTimeline(name: instanceSlots.names[k])) }
        return k
    }

    mutating func addReport(_ f: CallFacts, calls: Bool) {
        data.logRecords += 1
        let k = function(f.label!)
        // Like fit, file a REPORT under the Memory Size it states (what Lambda ran), else the phase's.
        let m = f.reportMemoryMB > 0 ? f.reportMemoryMB : f.memoryMB
        functionList[k].byMemory[m, default: MemoryStats(memoryMB: m)].addReport(f)
        if calls { addCallFacts(f, function: k) }
    }

    mutating func addColdStart(_ f: CallFacts) {
        guard let name = f.instance, f.atS.isFinite else { return }
        data.coldStartAtS[String(decoding: name, as: UTF8.self), default: []].append(f.atS)
    }

    mutating func addCall(_ f: CallFacts) {
        data.invocationRecords += 1
        addCallFacts(f, function: function(f.label!))
    }

    mutating func addCallFacts(_ f: CallFacts, function k: Int) {
        functionList[k].byMemory[f.memoryMB, default: MemoryStats(memoryMB: f.memoryMB)].addCall(f)
        instanceList[instance(f.instance!)].add(f)
        data.calls.add(f)
    }

    consuming func finish() -> RunData {
        for f in functionList { data.functions[f.name] = f }
        for i in instanceList { data.instances[i.name] = i }
        return data
    }
}
