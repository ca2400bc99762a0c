#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// libm under names the static members below do not shadow.
@inline(__always) private func libmExp(_ x: Double) -> Double { exp(x) }
@inline(__always) private func libmLog(_ x: Double) -> Double { log(x) }
@inline(__always) private func libmSin(_ x: Double) -> Double { sin(x) }
@inline(__always) private func libmCos(_ x: Double) -> Double { cos(x) }
@inline(__always) private func libmAtan(_ x: Double) -> Double { atan(x) }
@inline(__always) private func libmPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }

/// A forward-mode dual number: a value and its gradient with respect to the parameters.
///
/// Writing a model once over `Dual` gives exact Jacobians, so Levenberg–Marquardt is
/// not limited by finite-difference error (which costs digits on NIST's hard problems).
/// An empty gradient means "constant" and costs no allocation.
public struct Dual: Sendable {
    public var value: Double
    public var gradient: [Double]

    public init(_ value: Double) {
        self.value = value
        gradient = []
    }
    public init(value: Double, gradient: [Double]) {
        self.value = value
        self.gradient = gradient
    }

    /// The parameter vector as independent variables.
    public static func variables(_ p: [Double]) -> [Dual] {
        p.indices.map { j in
            var g = [Double](repeating: 0, count: p.count)
            g[j] = 1
            return Dual(value: p[j], gradient: g)
        }
    }

    @inline(__always) static func combine(_ a: [Double], _ ca: Double, _ b: [Double], _ cb: Double) -> [Double] {
        if a.isEmpty { return b.isEmpty ? [] : b.map { $0 * cb } }
        if b.isEmpty { return a.map { $0 * ca } }
        var out = a
        for k in out.indices { out[k] = a[k] * ca + b[k] * cb }
        return out
    }

    /// f(self) with derivative f'(self).
    @inline(__always) func chain(_ f: Double, _ df: Double) -> Dual {
        Dual(value: f, gradient: gradient.isEmpty ? [] : gradient.map { $0 * df })
    }

    public static func + (l: Dual, r: Dual) -> Dual { Dual(value: l.value + r.value, gradient: combine(l.gradient, 1, r.gradient, 1)) }
    public static func - (l: Dual, r: Dual) -> Dual { Dual(value: l.value - r.value, gradient: combine(l.gradient, 1, r.gradient, -1)) }
    public static func * (l: Dual, r: Dual) -> Dual {
        Dual(value: l.value * r.value, gradient: combine(l.gradient, r.value, r.gradient, l.value))
    }
    public static func / (l: Dual, r: Dual) -> Dual {
        let q = l.value / r.value
        return Dual(value: q, gradient: combine(l.gradient, 1 / r.value, r.gradient, -q / r.value))
    }
    public static prefix func - (x: Dual) -> Dual { x.chain(-x.value, -1) }

    public static func + (l: Dual, r: Double) -> Dual { Dual(value: l.value + r, gradient: l.gradient) }
    public static func + (l: Double, r: Dual) -> Dual { Dual(value: l + r.value, gradient: r.gradient) }
    public static func - (l: Dual, r: Double) -> Dual { Dual(value: l.value - r, gradient: l.gradient) }
    public static func - (l: Double, r: Dual) -> Dual { r.chain(l - r.value, -1) }
    public static func * (l: Dual, r: Double) -> Dual { l.chain(l.value * r, r) }
    public static func * (l: Double, r: Dual) -> Dual { r.chain(l * r.value, l) }
    public static func / (l: Dual, r: Double) -> Dual { l.chain(l.value / r, 1 / r) }
    public static func / (l: Double, r: Dual) -> Dual {
        let q = l / r.value
        return r.chain(q, -q / r.value)
    }

    public static func exp(_ x: Dual) -> Dual {
        let e = libmExp(x.value)
        return x.chain(e, e)
    }
    public static func log(_ x: Dual) -> Dual { x.chain(libmLog(x.value), 1 / x.value) }
    public static func sqrt(_ x: Dual) -> Dual {
        let s = x.value.squareRoot()
        return x.chain(s, 0.5 / s)
    }
    public static func sin(_ x: Dual) -> Dual { x.chain(libmSin(x.value), libmCos(x.value)) }
    public static func cos(_ x: Dual) -> Dual { x.chain(libmCos(x.value), -libmSin(x.value)) }
    public static func atan(_ x: Dual) -> Dual { x.chain(libmAtan(x.value), 1 / (1 + x.value * x.value)) }
    /// x^y with a constant exponent.
    public static func pow(_ x: Dual, _ y: Double) -> Dual {
        x.chain(libmPow(x.value, y), y * libmPow(x.value, y - 1))
    }
    /// x^y with both varying (x > 0).
    public static func pow(_ x: Dual, _ y: Dual) -> Dual {
        let v = libmPow(x.value, y.value)
        return Dual(
            value: v,
            gradient: combine(
                x.gradient, y.value * libmPow(x.value, y.value - 1),
                y.gradient, v * libmLog(x.value)))
    }
}
