import Records

/// From logs.ndjson's contents to models.json: one FunctionModel per function (payloads
/// mixed as in the workload, group "all") and, where payloads differ, one per payload.
public enum Fitter {
    public static func models(_ data: LogData, inputPath: String, pricing: PricingUsed, settings: FitSettings) -> ModelsFile {
        var functions: [FunctionModel] = []
        for f in data.functionList.sorted(by: { $0.function < $1.function }) {
            var all = FunctionFitter(function: f, samples: f.samples, groupName: "all", payloadText: nil,
                                     settings: settings, pricing: pricing)
            if f.payloads.count > 1 {
                all.warn("\(f.payloads.count) distinct payloads: group \"all\" models them in the workload's mix")
            }
            functions.append(all.build())
            guard f.payloads.count > 1 else { continue }
            guard f.payloads.count <= settings.maxPayloadGroups else {
                functions[functions.count - 1].warnings.append(
                    "more than \(settings.maxPayloadGroups) distinct payloads: no per-payload models")
                continue
            }
            for (pid, text) in f.payloads.enumerated() {
                var one = FunctionFitter(function: f, samples: f.samples.filter { $0.payload == Int32(pid) },
                                         groupName: "payload \(pid)", payloadText: text, settings: settings, pricing: pricing)
                functions.append(one.build())
            }
        }
        var warnings: [String] = []
        if data.header == nil { warnings.append("no run header: provenance lacks the workload hash and seed") }
        let provenance = ModelProvenance(
            tool: "fit", version: RightsizeVersion.current,
            inputs: [ModelInput(path: inputPath, sha256: data.sha256, records: data.counts)],
            workloadSHA256: data.header?.workloadSHA256, seed: data.header?.seed, run: data.header?.run,
            tools: (data.header?.tools ?? []) + ["fit \(RightsizeVersion.current)"])
        return ModelsFile(provenance: provenance, pricing: pricing, options: settings.used, functions: functions,
                          logWait: data.logWaits, warnings: warnings)
    }
}
