import NDJSONIO
import RecordSchema

/// From logs.ndjson's contents to models.json: one FunctionModel per function (payloads
/// mixed as in the workload, group "all") and, where payloads differ, one per payload.
public enum Fitter {
    public static func models(_ data: LogData, inputPath: String, pricing: PricingUsed, settings: FitSettings) -> ModelsFile {
        // One job per function and payload group, built on every core; results in this order.
        struct Job {
            var function: FunctionLogs
            var payload: Int?
            var note: String?
        }
        var jobs: [Job] = []
        for f in data.functionList.sorted(by: { $0.function < $1.function }) {
            var note: String?
            if f.payloads.count > settings.maxPayloadGroups {
                note = "more than \(settings.maxPayloadGroups) distinct payloads: no per-payload models"
            }
            jobs.append(Job(function: f, payload: nil, note: note))
            guard f.payloads.count > 1, note == nil else { continue }
            for pid in f.payloads.indices { jobs.append(Job(function: f, payload: pid)) }
        }
        let functions = jobs.concurrentMap(longestFirst: { $0.function.samples.count }) { job -> FunctionModel in
            let f = job.function
            guard let pid = job.payload else {
                var all = FunctionFitter(
                    function: f, samples: f.samples, groupName: "all", payloadText: nil,
                    settings: settings, pricing: pricing)
                if f.payloads.count > 1 {
                    all.warn("\(f.payloads.count) distinct payloads: group \"all\" models them in the workload's mix")
                }
                var model = all.build()
                if let note = job.note { model.warnings.append(note) }
                return model
            }
            var one = FunctionFitter(
                function: f, samples: f.samples.filter { $0.payload == Int32(pid) },
                groupName: "payload \(pid)", payloadText: f.payloads[pid], settings: settings, pricing: pricing)
            return one.build()
        }
        var warnings: [String] = []
        if data.header == nil { warnings.append("no run header: provenance lacks the workload hash and seed") }
        let provenance = ModelProvenance(
            tool: "fit", version: RightsizeVersion.current,
            inputs: [ModelInput(path: inputPath, sha256: data.sha256, records: data.counts)],
            workloadSHA256: data.header?.workloadSHA256, seed: data.header?.seed, run: data.header?.run,
            tools: (data.header?.tools ?? []) + ["fit \(RightsizeVersion.current)"])
        var file = ModelsFile(
            provenance: provenance, pricing: pricing, options: settings.used, functions: functions,
            logWait: data.logWaits, warnings: warnings)
        file.responseFields = data.responseFields.summaries
        return file
    }
}
