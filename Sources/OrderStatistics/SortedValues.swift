/// Ascending sorts of large Double samples (durations, Max Memory Used) for exact quantiles.
/// fit and report sort about a million values per run; a comparison sort is the largest
/// part of their time after parsing, so these count or radix-sort instead.

/// Sorted copy; integral values in a small range (Max Memory Used in MB) are counted
/// instead of compared, which is several times faster for a million values.
public func sortedValues(_ values: [Double]) -> [Double] {
    guard let lo = values.min(), let hi = values.max(), hi - lo < 65536,
        values.allSatisfy({ $0 == $0.rounded() })
    else { return radixSorted(values) }
    var counts = [Int](repeating: 0, count: Int(hi - lo) + 1)
    for v in values { counts[Int(v - lo)] += 1 }
    var out: [Double] = []
    out.reserveCapacity(values.count)
    for (k, n) in counts.enumerated() where n > 0 { out.append(contentsOf: repeatElement(lo + Double(k), count: n)) }
    return out
}

/// Ascending sort of non-NaN doubles by LSD radix on their bit patterns (11-bit digits,
/// 6 passes): about three times faster than a comparison sort for a million values.
/// −0.0 sorts before +0.0 (a comparison sort keeps their input order).
public func radixSorted(_ values: [Double]) -> [Double] {
    let n = values.count
    guard n > 256 else { return values.sorted() }
    // Order-preserving map to unsigned keys: flip all bits of negatives, the sign bit of the rest.
    var keys = values.map { v -> UInt64 in
        let b = v.bitPattern
        return b >> 63 == 1 ? ~b : b | (1 << 63)
    }
    var scratch = [UInt64](repeating: 0, count: n)
    var counts = [Int](repeating: 0, count: 2048)
    keys.withUnsafeMutableBufferPointer { a in
        scratch.withUnsafeMutableBufferPointer { b in
            var src = a
            var dst = b
            for pass in 0..<6 {
                let shift = UInt64(pass * 11)
                for k in 0..<2048 { counts[k] = 0 }
                for k in src { counts[Int((k >> shift) & 2047)] += 1 }
                if counts.contains(n) { continue }  // every key has the same digit: nothing to move
                var sum = 0
                for d in 0..<2048 {
                    let c = counts[d]
                    counts[d] = sum
                    sum += c
                }
                for k in src {
                    let d = Int((k >> shift) & 2047)
                    dst[counts[d]] = k
                    counts[d] += 1
                }
                swap(&src, &dst)
            }
            if src.baseAddress != a.baseAddress { a.baseAddress!.update(from: src.baseAddress!, count: n) }
        }
    }
    return keys.map { k in Double(bitPattern: k >> 63 == 1 ? k & ~(1 << 63) : ~k) }
}
