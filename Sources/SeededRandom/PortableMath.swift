/// Functions whose results are the same bits on every platform.
///
/// The C library's `log` is not correctly rounded and differs between libms (glibc, Apple,
/// musl) in the last bit for some inputs, which would make schedules differ between
/// machines. This logarithm uses only IEEE 754 addition, subtraction, multiplication and
/// division (each exactly rounded everywhere), so its result is fixed by the algorithm.
public enum PortableMath {
    /// ln 2 split so that k * ln2Hi is exact for |k| < 2^11 (fdlibm's constants).

    /// Natural logarithm, within a few ulp of the true value, for finite x > 0.
    ///
    /// x = 2^k * m with m in [sqrt(2)/2, sqrt(2)); with f = m - 1 (exact) and s = f / (2 + f),
    /// log(m) = 2 atanh(s) = 2s + 2s^3/3 + 2s^5/5 + ..., and 2s = f - s*f, so
    /// log(m) = f - s*f + s*z*(2/3 + 2/5 z + ... + 2/21 z^9) with z = s^2 <= 0.0295,
    /// whose tail after ten terms is below 2^-60 of the result.
    /// Returns -infinity for 0, NaN for negative or NaN input, x for +infinity.
    @inlinable
    public static func log(_ x: Double) -> Double {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x.isInfinite { return x }
        var value = x
        var k = 0
        if value.exponentBitPattern == 0 {  // subnormal: scale into the normal range
            value *= 0x1.0p54
            k = -54
        }
        k += Int(value.exponentBitPattern) - 1023
        var m = Double(sign: .plus, exponentBitPattern: 1023, significandBitPattern: value.significandBitPattern)
        if m > 1.4142135623730951 {
            m *= 0.5
            k += 1
        }
        let f = m - 1.0
        let s = f / (2.0 + f)
        let z = s * s
        let c3 = 2.0 / 3.0
        let c5 = 2.0 / 5.0
        let c7 = 2.0 / 7.0
        let c9 = 2.0 / 9.0
        let c11 = 2.0 / 11.0
        let c13 = 2.0 / 13.0
        let c15 = 2.0 / 15.0
        let c17 = 2.0 / 17.0
        let c19 = 2.0 / 19.0
        let c21 = 2.0 / 21.0
        var p = c21
        p = p * z + c19
        p = p * z + c17
        p = p * z + c15
        p = p * z + c13
        p = p * z + c11
        p = p * z + c9
        p = p * z + c7
        p = p * z + c5
        p = p * z + c3
        // ln 2 split so that k * ln2Hi is exact for |k| < 2^11 (fdlibm's constants).
        let ln2Hi = 6.93147180369123816490e-01  // 0x3FE62E42FEE00000
        let ln2Lo = 1.90821492927058770002e-10  // 0x3DEA39EF35793C76
        let kd = Double(k)
        let logM = f - (s * f - s * z * p)
        return kd * ln2Hi + (logM + kd * ln2Lo)
    }

}
