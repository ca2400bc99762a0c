import RecordSchema

/// One duration (warm, cold or Init) against memory: the chosen form, its nested
/// cross-validation, and the anchored curve fit states values with.
struct CurveAnalysis: Sendable {
    var points: [SizePoint]
    var choice: FormSelection.Choice
    var nested: [FormSelection.NestedPrediction]?
    /// Nested leave-one-size-out MAPE over every size and over the interior ones, percent.
    var nestedMape: Double?
    var interiorMape: Double?

    init?(_ points: [SizePoint]) {
        let sorted = points.sorted { $0.memoryMB < $1.memoryMB }
        let cache = FormSelection.FitCache(sorted)
        guard sorted.count >= 2, let choice = FormSelection.choose(Array(sorted.indices), cache) else { return nil }
        self.points = sorted
        self.choice = choice
        nested = FormSelection.nested(cache)
        if let nested {
            nestedMape = FormSelection.mape(nested.map(\.predicted), sorted)
            let inner = Array(sorted.indices.dropFirst().dropLast())
            if !inner.isEmpty {
                interiorMape = FormSelection.mape(inner.map { nested[$0].predicted }, inner.map { sorted[$0] })
            }
        }
    }

    var chosen: FormFit { choice.chosen }
    var anchored: AnchoredCurve { AnchoredCurve(fit: choice.chosen, measured: points) }

    func model(invocations: String, robust: String) -> CurveModel {
        func named(_ form: CurveForm, _ values: [Double]) -> [String: Double] {
            Dictionary(uniqueKeysWithValues: zip(form.parameterNames, values.map { significant($0, 10) }).filter { $0.1.isFinite })
        }
        let cands = choice.candidates.map { cand in
            CurveCandidate(
                form: cand.form.rawValue, formula: cand.form.formula,
                parameters: cand.fit.map { named(cand.form, $0.parameters) } ?? [:],
                standardErrors: cand.fit.map { named(cand.form, $0.standardErrors) } ?? [:],
                r2: significant(cand.fit?.r2), mape: significant(cand.fit?.mape), looMape: significant(cand.loo),
                note: cand.note)
        }
        var curve = CurveModel(
            form: chosen.form.rawValue, formula: chosen.form.formula,
            parameters: named(chosen.form, chosen.parameters),
            standardErrors: named(chosen.form, chosen.standardErrors),
            r2: significant(chosen.r2), mape: significant(chosen.mape), looMape: significant(nestedMape),
            candidates: cands, robust: robust, selection: choice.selection, sizes: points.count,
            points: points.reduce(0) { $0 + $1.n },
            looPredictions: nested.map { nested in
                zip(points.indices, nested).map { k, pred in
                    var left = LeftOutSize(
                        memoryMB: Int(points[k].memoryMB), observedMs: significant(points[k].center),
                        predictedMs: significant(pred.predicted),
                        errorPct: significant(100 * abs(pred.predicted - points[k].center) / points[k].center))
                    left.form = pred.form.rawValue
                    left.interior = k > 0 && k < points.count - 1
                    return left
                }
            })
        curve.selectionLooMape = significant(choice.selectionLoo)
        curve.interiorLooMape = significant(interiorMape)
        curve.invocations = invocations
        return curve
    }
}
