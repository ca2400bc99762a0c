import Records

/// From logs.ndjson's contents to models.json: one FunctionModel per function (payloads
/// mixed as in the workload, group "all") and, where payloads differ, one per payload.
public enum Fitter {
    public static func models(_ data: LogData, inputPath: String, pricing: PricingUsed, settings: FitSettings) -> ModelsFile {
        // One job per function and payload group, built on every core; results in this order.
        struct Job { var function: FunctionLogs; var payload: Int?; var note: String? }
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
        // Largest first, so the long builds start early.
        let order = jobs.indices.sorted { jobs[$0].function.samples.count > jobs[$1].function.samples.count }
        var functions = jobs.map { _ in FunctionModel?.none }
        let built = order.concurrentMap { k -> FunctionModel in
            let job = jobs[k], f = job.function
            guard let pid = job.payload else {
                var all = FunctionFitter(function: f, samples: f.samples, groupName: "all", payloadText: nil,
                                         settings: settings, pricing: pricing)
                if f.payloads.count > 1 {
                    all.warn("\(f.payloads.count) distinct payloads: group \"all\" models them in the workload's mix")
                }
                var model = all.build()
                if let note = job.note { model.warnings.append(note) }
                return model
            }
            var one = FunctionFitter(function: f, samples: f.samples.filter { $0.payload == Int32(pid) },
                                     groupName: "payload \(pid)", payloadText: f.payloads[pid], settings: settings, pricing: pricing)
            return one.build()
        }
        for (k, model) in zip(order, built) { functions[k] = model }
        var warnings: [String] = []
        if data.header == nil { warnings.append("no run header: provenance lacks the workload hash and seed") }
        let provenance = ModelProvenance(
            tool: "fit", version: RightsizeVersion.current,
            inputs: [ModelInput(path: inputPath, sha256: data.sha256, records: data.counts)],
            workloadSHA256: data.header?.workloadSHA256, seed: data.header?.seed, run: data.header?.run,
            tools: (data.header?.tools ?? []) + ["fit \(RightsizeVersion.current)"])
        return ModelsFile(provenance: provenance, pricing: pricing, options: settings.used, functions: functions.map { $0! },
                          logWait: data.logWaits, warnings: warnings)
    }
}
