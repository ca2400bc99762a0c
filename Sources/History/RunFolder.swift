import Foundation
import Hashing
import JSON
import NDJSONIO
import OrderStatistics
import RecordSchema
import ToolSupport

/// Reads a run folder (`runs/<name>/`): its models.json and logs.ndjson.
public enum RunFolder {
    /// Whether `path` is a folder holding a finished run (models.json and logs.ndjson).
    public static func isRun(_ path: String) -> Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: path + "/models.json") && fm.fileExists(atPath: path + "/logs.ndjson")
    }

    public static func load(_ folder: String) throws -> RunSnapshot {
        try load(models: folder + "/models.json", logs: folder + "/logs.ndjson", source: folder)
    }

    /// A bad file is an `InputError` naming it (and the line, for logs.ndjson).
    public static func load(models modelsPath: String, logs logsPath: String, source: String?) throws -> RunSnapshot {
        let modelsBytes: [UInt8]
        do { modelsBytes = Array(try Data(contentsOf: URL(fileURLWithPath: modelsPath))) } catch {
            throw InputError(file: modelsPath, problem: "cannot read (a run folder needs models.json from fit)")
        }
        let models: ModelsFile
        do { models = try JSONDecoder().decode(ModelsFile.self, from: Data(modelsBytes)) } catch {
            throw InputError(file: modelsPath, problem: "not a models.json file: \(error)")
        }
        var logs = LogsDigest()
        let hash = SHA256.Incremental()
        let reader = try NDJSONReader(path: logsPath)
        try reader.forEachLine(onRead: { hash.update($0) }) { number, bytes in
            let record: Record
            do { record = try Record.decode(bytes) } catch let f as FieldFailure {
                throw InputError(file: logsPath, line: number, field: f.field, problem: f.problem)
            }
            logs.add(record)
        }
        guard logs.records > 0 else { throw InputError(file: logsPath, problem: "no log records") }
        let fingerprint = SHA256.hex(hash.finalizeHex() + SHA256.hex(modelsBytes))
        return snapshot(models: models, logs: logs, fingerprint: fingerprint, source: source)
    }

    static func snapshot(models: ModelsFile, logs: LogsDigest, fingerprint: String, source: String?) -> RunSnapshot {
        var sizes: [SizeSummary] = []
        var recommendations: [RecommendationRow] = []
        for f in models.functions where f.payloadGroup == "all" {
            for o in f.observations {
                let billed = Quantiles(logs.samples[SampleKey(function: f.function, memoryMB: o.memoryMB)]?.billedMs ?? [])
                sizes.append(
                    SizeSummary(
                        function: f.function, memoryMB: o.memoryMB, n: o.n, warmN: o.warmN, coldN: o.coldN, errors: o.errors,
                        timeouts: o.timeouts, ooms: o.ooms, durationRobustMeanMs: o.durationFitMs, durationP50Ms: o.durationP50Ms,
                        durationP90Ms: o.durationP90Ms, durationP99Ms: o.durationP99Ms, billedMeanMs: o.billedMeanMs,
                        billedP50Ms: billed.at(0.5), billedP90Ms: billed.at(0.9), billedP99Ms: billed.at(0.99),
                        coldShare: o.coldStartShare, maxMemoryUsedMB: o.maxMemoryUsedMaxMB))
            }
            guard let r = f.recommendations else { continue }
            let rules: [(String, Recommendation?)] = [
                ("cheapest", r.cheapest), ("balanced", r.balanced), ("fastest", r.fastest),
                ("under_latency_bound", r.underLatencyBound),
            ]
            for case (let rule, let x?) in rules {
                recommendations.append(
                    RecommendationRow(
                        function: f.function, rule: rule, memoryMB: x.memoryMB, memoryCILoMB: x.memoryCILoMB,
                        memoryCIHiMB: x.memoryCIHiMB, costPerMillionUSD: x.costPerMillionUSD,
                        costPerMillionCILoUSD: x.costPerMillionCILoUSD, costPerMillionCIHiUSD: x.costPerMillionCIHiUSD,
                        durationMs: x.durationMs, durationCILoMs: x.durationCILoMs, durationCIHiMs: x.durationCIHiMs,
                        form: f.runtime?.form))
            }
        }
        let header = logs.header
        let kinds = Set(logs.targets.values.map(\.kind))
        let regions = Set(logs.targets.values.compactMap(\.region))
        let meta = RunMeta(
            name: header?.run ?? models.provenance.run ?? "unnamed", workloadSHA256: header?.workloadSHA256,
            seed: header?.seed, startedUnixMs: logs.firstSentUnixMs, endedUnixMs: logs.lastEndUnixMs,
            target: header.flatMap(workloadTarget) ?? "aws", endpointKind: kinds.count == 1 ? kinds.first! : "mixed",
            region: regions.count == 1 ? regions.first! : (regions.isEmpty ? models.pricing.region : "mixed"),
            tools: Array(Set((header?.tools ?? []) + models.provenance.tools + ["fit \(models.provenance.version)"])).sorted(),
            gbSecondUSD: models.pricing.gbSecondUSD, requestUSD: models.pricing.requestUSD,
            architecture: models.pricing.architecture, fingerprint: fingerprint, source: source)
        return RunSnapshot(
            meta: meta, sizes: sizes.sorted { ($0.function, $0.memoryMB) < ($1.function, $1.memoryMB) },
            recommendations: recommendations, targets: logs.targets.values.sorted { $0.function < $1.function },
            samples: logs.samples)
    }

    /// The workload's "target" ("local" or "aws"; absent = "aws").
    static func workloadTarget(_ header: RunHeader) -> String? {
        guard let tree = try? JSONTree.parse(Array(header.workload.text.utf8)) else { return nil }
        return tree["target"]?.string
    }
}

/// What the history keeps of logs.ndjson, in one pass.
struct LogsDigest {
    var header: RunHeader?
    var records = 0
    var samples: [SampleKey: CallSamples] = [:]
    var targets: [String: FunctionTarget] = [:]
    var firstSentUnixMs: Double?
    var lastEndUnixMs: Double?

    mutating func add(_ record: Record) {
        switch record {
        case .run(let h): if header == nil { header = h }
        case .log(let l): add(l)
        default: break
        }
    }

    mutating func add(_ l: LogRecord) {
        records += 1
        let call = l.invocation.call
        let function = call.target.label
        let memory = l.report.memoryMB > 0 ? l.report.memoryMB : call.memoryMB
        let key = SampleKey(function: function, memoryMB: memory)
        samples[key, default: CallSamples()].calls.append(
            CallSamples.Call(
                durationMs: l.report.durationMs, billedMs: l.report.billedMs, cold: l.report.initMs != nil,
                status: l.report.status.rawValue))
        if targets[function] == nil {
            switch call.target {
            case .lambda(let name, let region, _, let qualifier):
                targets[function] = FunctionTarget(
                    function: function, kind: "lambda", lambdaFunction: name, region: region, qualifier: qualifier)
            case .http:
                targets[function] = FunctionTarget(
                    function: function, kind: "http", lambdaFunction: call.application, region: nil, qualifier: nil)
            }
        }
        if let sent = l.invocation.sentUnixMs {
            firstSentUnixMs = min(firstSentUnixMs ?? sent, sent)
            let end = sent + (l.invocation.latencyMs ?? 0)
            lastEndUnixMs = max(lastEndUnixMs ?? end, end)
        }
    }
}
