/// Chooses a runtime form and measures the error of doing so honestly.
///
/// A form is scored by leave-one-memory-size-out: fitted without a size, its anchored curve
/// (AnchoredCurve: the form between the measured neighbours, CPU-law bounded beyond them)
/// predicts that size. Parsimony: in the order of preference (`CurveForm.allCases`: fewer
/// parameters first, the CPU law first among equals) a later form replaces the current choice
/// only when its leave-one-out MAPE is lower by more than `margin(of:)` — with a handful of
/// sizes a third parameter can fit the noise and then bend between the sizes.
///
/// The error fit reports is the nested one: for each measured size, the whole procedure (every
/// form fitted and scored, the choice made) runs without that size, and its anchored curve
/// predicts the size. That is the error of the procedure on a size it did not see, form choice
/// included; the chosen form's own leave-one-out score is optimistic because the form was
/// chosen for scoring well on exactly those sizes.
enum FormSelection {
    struct Scored {
        var form: CurveForm
        var fit: FormFit?
        var loo: Double?
        var note: String?
    }

    struct Choice {
        var chosen: FormFit
        /// The chosen form's leave-one-out MAPE (its selection score), percent.
        var selectionLoo: Double?
        var candidates: [Scored]
        var selection: String
    }

    /// How much lower (percentage points) a more complex form's LOO MAPE must be: 1 point or
    /// 10% of the simpler form's, whichever is larger.
    static func margin(of simpler: Double) -> Double { max(1, 0.1 * simpler) }

    static let rule =
        "forms in the order flat, cpu_share, inverse, exponential, cpu_share_parallel, cpu_share_knee, parrotfish, power (fewer parameters first); a later form replaces the current choice only when its leave-one-memory-size-out MAPE is lower by more than max(1 point, 10%); with 2 sizes the CPU-share law is the prior"

    /// Fits of every form to subsets of one curve's points, each computed once: the nested
    /// check fits each form on the points without k and without j from both folds k and j.
    final class FitCache {
        let points: [SizePoint]
        private var fits: [Key: FormFit?] = [:]

        struct Key: Hashable {
            var form: CurveForm
            var mask: UInt64
        }

        init(_ points: [SizePoint]) {
            precondition(points.count <= 64)
            self.points = points
        }

        func fit(_ form: CurveForm, _ subset: [Int]) -> FormFit? {
            let key = Key(form: form, mask: subset.reduce(0) { $0 | (1 << UInt64($1)) })
            if let f = fits[key] { return f }
            let f = CurveFitter.fit(form, subset.map { points[$0] })
            fits[key] = f
            return f
        }
    }

    /// Each size of `subset`'s prediction by the form fitted without it (nil when not possible for every size).
    static func leaveOneOutPredictions(_ form: CurveForm, _ subset: [Int], _ cache: FitCache) -> [Double]? {
        guard subset.count >= 3, subset.count - 1 >= form.parameterCount else { return nil }
        var out: [Double] = []
        for k in subset {
            let rest = subset.filter { $0 != k }
            guard let f = cache.fit(form, rest) else { return nil }
            let pred = AnchoredCurve(fit: f, measured: rest.map { cache.points[$0] }).value(cache.points[k].memoryMB)
            guard pred.isFinite, pred > 0 else { return nil }
            out.append(pred)
        }
        return out
    }

    static func mape(_ predictions: [Double], _ points: [SizePoint]) -> Double {
        100 * zip(predictions, points).reduce(0) { $0 + abs($1.0 - $1.1.center) / $1.1.center } / Double(points.count)
    }

    static func choose(_ subset: [Int], _ cache: FitCache) -> Choice? {
        let points = subset.map { cache.points[$0] }
        var cands: [Scored] = []
        for form in CurveForm.allCases {
            let f = cache.fit(form, subset)
            let loo = f == nil ? nil : leaveOneOutPredictions(form, subset, cache).map { mape($0, points) }
            var note: String?
            if f == nil {
                note = points.count < form.parameterCount ? "needs \(form.parameterCount) memory sizes" : "fit failed"
            } else if loo == nil {
                note = "leave-one-out needs \(max(form.parameterCount + 1, 3)) memory sizes"
            }
            cands.append(Scored(form: form, fit: f, loo: loo, note: note))
        }
        let scored = cands.filter { $0.fit != nil && $0.loo != nil }
        // In the order of preference (complexity never decreases along it), a later form
        // replaces the current one only when clearly better.
        var current: Scored?
        for cand in scored {
            if let c = current, cand.loo! >= c.loo! - margin(of: c.loo!) { continue }
            current = cand
        }
        if let c = current {
            return Choice(
                chosen: c.fit!, selectionLoo: c.loo, candidates: cands,
                selection: "\(rule); \(scored.count) forms scored on \(points.count) sizes")
        }
        if let prior = cands.first(where: { $0.form == .cpuShare && $0.fit != nil }) ?? cands.first(where: { $0.fit != nil }) {
            return Choice(
                chosen: prior.fit!, selectionLoo: nil, candidates: cands,
                selection: "\(points.count) memory sizes: too few to cross-validate; the CPU-share law is the prior form")
        }
        return nil
    }

    /// One measured size's nested check: the procedure run without it.
    struct NestedPrediction {
        var form: CurveForm
        var predicted: Double
    }

    /// Nested leave-one-size-out (nil with fewer than 3 sizes or when a fold cannot be fitted).
    static func nested(_ cache: FitCache) -> [NestedPrediction]? {
        let points = cache.points
        guard points.count >= 3 else { return nil }
        var out: [NestedPrediction] = []
        for k in points.indices {
            let rest = points.indices.filter { $0 != k }
            guard let c = choose(rest, cache) else { return nil }
            let pred = AnchoredCurve(fit: c.chosen, measured: rest.map { points[$0] }).value(points[k].memoryMB)
            guard pred.isFinite, pred > 0 else { return nil }
            out.append(NestedPrediction(form: c.chosen.form, predicted: pred))
        }
        return out
    }
}
