import LeastSquares
import Records

/// Max Memory Used as a linear model of the payload's numeric fields and the memory size.
extension FunctionFitter {
    mutating func memoryModel(_ sizes: [Int]) -> MemoryModel? {
        let withMemory = samples.filter { $0.maxMemoryMB >= 0 }
        guard !withMemory.isEmpty else {
            warn("no Max Memory Used values: no memory model")
            return nil
        }
        // Predictors: payload paths present in every payload of the group, with more than one value.
        let used = Set(withMemory.map(\.payload)).sorted()
        let leaves = used.map { PayloadFeatures.numericLeaves(function.payloads[Int($0)]) }
        var paths = leaves.first.map { Set($0.keys) } ?? []
        for l in leaves.dropFirst() { paths.formIntersection(l.keys) }
        let varying = paths.filter { p in Set(leaves.map { $0[p]! }).count > 1 }.sorted().prefix(8)
        let useMemory = Set(withMemory.map(\.memoryMB)).count > 1
        let predictors = ["intercept"] + (useMemory ? ["memory_mb"] : []) + Array(varying)
        let featureOf: [Int32: [Double]] = Dictionary(uniqueKeysWithValues: zip(used, leaves).map { pid, l in
            (pid, varying.map { l[$0]! })
        })
        func row(_ memory: Double, _ pid: Int32) -> [Double] { [1] + (useMemory ? [memory] : []) + featureOf[pid]! }

        // Cells (memory, payload): means weighted by counts give the same least squares as every sample.
        struct Key: Hashable { var m: Int32; var p: Int32 }
        let cells = Dictionary(grouping: withMemory, by: { Key(m: $0.memoryMB, p: $0.payload) })
        let keys = cells.keys.sorted { ($0.m, $0.p) < ($1.m, $1.p) }
        var rows: [[Double]] = [], ys: [Double] = [], ws: [Double] = []
        var within = 0.0
        for k in keys {
            let v = cells[k]!.map { Double($0.maxMemoryMB) }
            rows.append(row(Double(k.m), k.p)); ys.append(v.mean!); ws.append(Double(v.count))
            within += v.sumOfSquaredDeviations
        }
        let n = withMemory.count
        guard let fit = try? LinearLeastSquares.fit(design: Matrix(rowArrays: rows), response: ys, weights: ws,
                                                    hasIntercept: true) else {
            warn("the memory model could not be fitted")
            return nil
        }
        let dof = n - fit.rank
        let sd = dof > 0 ? ((within + fit.residualSumOfSquares) / Double(dof)).squareRoot() : 0
        var tss = 0.0
        let all = withMemory.map { Double($0.maxMemoryMB) }
        let grand = all.mean!
        for v in all { tss += (v - grand) * (v - grand) }
        let r2: Double? = tss > 0 ? 1 - (within + fit.residualSumOfSquares) / tss : nil

        let oomAt = samples.filter { $0.status == .oom }.map { Int($0.memoryMB) }.max()
        let maxObserved = Int(withMemory.map(\.maxMemoryMB).max()!)
        func required(_ m: Int) -> Double {
            let worst = used.map { pid in zip(fit.coefficients, row(Double(m), pid)).reduce(0) { $0 + $1.0 * $1.1 } }.max()!
            return (worst + settings.memorySafetySigmas * sd) * (1 + settings.memorySafetyFraction)
        }
        let candidates = settings.grid(adding: sizes)
        let safe = candidates.first { m in m >= Int(required(m).rounded(.up)) && m > (oomAt ?? 0) }
        if safe == nil { warn("no memory size up to \(settings.gridMaxMB) MB is predicted to be safe") }
        if let oomAt { warn("out-of-memory observed at \(oomAt) MB: smaller sizes are excluded") }
        let names = predictors
        return MemoryModel(
            predictors: names,
            coefficients: Dictionary(uniqueKeysWithValues: zip(names, fit.coefficients.map { significant($0, 8) })),
            standardErrors: Dictionary(uniqueKeysWithValues: zip(names, fit.standardErrors.map { significant($0) }).filter { $0.1.isFinite }),
            residualSDMB: significant(sd), r2: significant(r2), n: n, maxObservedMB: maxObserved, oomAtMB: oomAt,
            requiredMB: significant(required(safe ?? settings.gridMaxMB)), minimumSafeMB: safe,
            margin: "required(m) = (max over the observed payloads of the predicted Max Memory Used at m + \(significant(settings.memorySafetySigmas)) residual SD) x \(significant(1 + settings.memorySafetyFraction)); minimum_safe_mb is the smallest grid size m with m >= required(m) and above any size that ran out of memory")
    }
}
