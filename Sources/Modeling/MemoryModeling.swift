import LeastSquares
import NDJSONIO
import RecordSchema

/// Max Memory Used as a linear model of the payload's numeric fields and the memory size.
extension FunctionFitter {
    mutating func memoryModel(_ sizes: [Int]) -> MemoryModel? {
        // One pass: per (memory, payload) cell, count, mean and sum of squared deviations (Welford);
        // cell means weighted by counts give the same least squares as every sample.
        struct Key: Hashable {
            var m: Int32
            var p: Int32
        }
        var cellSlots = SlotIndex<Key>()
        var cellStats: [Welford] = []
        var total = Welford()
        var oomAt: Int?
        var maxObserved = 0
        for x in samples {
            if x.status == .oom { oomAt = max(oomAt ?? 0, Int(x.memoryMB)) }
            guard x.maxMemoryMB >= 0 else { continue }
            let v = Double(x.maxMemoryMB)
            let (slot, isNew) = cellSlots.slot(Key(m: x.memoryMB, p: x.payload))
            if isNew { cellStats.append(Welford()) }
            cellStats[slot].add(v)
            total.add(v)
            maxObserved = max(maxObserved, Int(x.maxMemoryMB))
        }
        let cells = Dictionary(uniqueKeysWithValues: zip(cellSlots.keys, cellStats))
        guard total.count > 0 else {
            warn("no Max Memory Used values: no memory model")
            return nil
        }
        // Predictors: payload paths present in every payload of the group, with more than one value.
        let used = Set(cells.keys.map(\.p)).sorted()
        let leaves = used.map { PayloadFeatures.numericLeaves(function.payloads[Int($0)]) }
        var paths = leaves.first.map { Set($0.keys) } ?? []
        for l in leaves.dropFirst() { paths.formIntersection(l.keys) }
        let varying = paths.filter { p in Set(leaves.map { $0[p]! }).count > 1 }.sorted().prefix(8)
        let useMemory = Set(cells.keys.map(\.m)).count > 1
        let predictors = ["intercept"] + (useMemory ? ["memory_mb"] : []) + Array(varying)
        let featureOf: [Int32: [Double]] = Dictionary(
            uniqueKeysWithValues: zip(used, leaves).map { pid, l in
                (pid, varying.map { l[$0]! })
            })
        func row(_ memory: Double, _ pid: Int32) -> [Double] { [1] + (useMemory ? [memory] : []) + featureOf[pid]! }

        let keys = cells.keys.sorted { ($0.m, $0.p) < ($1.m, $1.p) }
        var rows: [[Double]] = []
        var ys: [Double] = []
        var ws: [Double] = []
        var within = 0.0
        for k in keys {
            let c = cells[k]!
            rows.append(row(Double(k.m), k.p))
            ys.append(c.mean)
            ws.append(Double(c.count))
            within += c.m2
        }
        let n = total.count
        guard
            let fit = try? LinearLeastSquares.fit(
                design: Matrix(rowArrays: rows), response: ys, weights: ws,
                hasIntercept: true)
        else {
            warn("the memory model could not be fitted")
            return nil
        }
        let dof = n - fit.rank
        let sd = dof > 0 ? ((within + fit.residualSumOfSquares) / Double(dof)).squareRoot() : 0
        let tss = total.m2
        let r2: Double? = tss > 0 ? 1 - (within + fit.residualSumOfSquares) / tss : nil

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
            standardErrors: Dictionary(
                uniqueKeysWithValues: zip(names, fit.standardErrors.map { significant($0) }).filter { $0.1.isFinite }),
            residualSDMB: significant(sd), r2: significant(r2), n: n, maxObservedMB: maxObserved, oomAtMB: oomAt,
            requiredMB: significant(required(safe ?? settings.gridMaxMB)), minimumSafeMB: safe,
            margin:
                "required(m) = (max over the observed payloads of the predicted Max Memory Used at m + \(significant(settings.memorySafetySigmas)) residual SD) x \(significant(1 + settings.memorySafetyFraction)); minimum_safe_mb is the smallest grid size m with m >= required(m) and above any size that ran out of memory"
        )
    }
}
