#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What fit states a quantity is at any memory size, from a model and the measured sizes.
///
/// At a measured size: the measurement. Between two measured sizes: the model times its own
/// error at the two neighbours (the ratio measured/model, interpolated linearly in log m), so
/// the curve passes through every measurement and the model supplies only the shape between
/// them — a model that is 10% low at 1024 and 2048 MB cannot make 1536 MB look 10% cheaper
/// than both. Outside the measured range: the model times the nearest end's ratio; for
/// durations (`cpuLawBounds`) also bounded by Lambda's CPU law — memory buys at most
/// proportionally more CPU, so above the largest measured size M the duration is at least
/// t(M)·M/m, and below the smallest L at most t(L)·L/m.
struct AnchoredCurve {
    struct Anchor {
        var memoryMB: Double
        var value: Double
        var logRatio: Double
    }

    let model: (Double) -> Double
    let anchors: [Anchor]
    let cpuLawBounds: Bool

    /// `measured`: (memory, value) pairs; sizes where the model is not positive are skipped.
    init(model: @escaping (Double) -> Double, measured: [(memoryMB: Double, value: Double)], cpuLawBounds: Bool) {
        self.model = model
        self.cpuLawBounds = cpuLawBounds
        anchors = measured.sorted { $0.memoryMB < $1.memoryMB }.compactMap { p in
            let f = model(p.memoryMB)
            guard f > 0, p.value > 0, f.isFinite, p.value.isFinite else { return nil }
            return Anchor(memoryMB: p.memoryMB, value: p.value, logRatio: log(p.value / f))
        }
    }

    init(fit: FormFit, measured: [SizePoint]) {
        self.init(model: fit.predict, measured: measured.map { ($0.memoryMB, $0.center) }, cpuLawBounds: true)
    }

    var measuredRange: ClosedRange<Double>? {
        guard let lo = anchors.first?.memoryMB, let hi = anchors.last?.memoryMB else { return nil }
        return lo...hi
    }

    func value(_ m: Double) -> Double {
        guard let first = anchors.first, let last = anchors.last else { return model(m) }
        if m <= first.memoryMB {
            if m == first.memoryMB { return first.value }
            let v = model(m) * exp(first.logRatio)
            return cpuLawBounds ? min(v, first.value * first.memoryMB / m) : v
        }
        if m >= last.memoryMB {
            if m == last.memoryMB { return last.value }
            let v = model(m) * exp(last.logRatio)
            return cpuLawBounds ? max(v, last.value * last.memoryMB / m) : v
        }
        // The neighbours: the last anchor below m and the first above (anchors are few).
        var k = 0
        while anchors[k + 1].memoryMB < m { k += 1 }
        let a = anchors[k]
        let b = anchors[k + 1]
        if m == b.memoryMB { return b.value }
        let u = log(m / a.memoryMB) / log(b.memoryMB / a.memoryMB)
        return model(m) * exp(a.logRatio + u * (b.logRatio - a.logRatio))
    }
}
