/// A dense real matrix stored column by column (the layout Householder QR works in).
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Element (i, j) is `storage[j * rows + i]`.
    public var storage: [Double]

    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.rows = rows
        self.columns = columns
        storage = [Double](repeating: value, count: rows * columns)
    }

    /// From an array of rows (each of the same length).
    public init(rowArrays: [[Double]]) {
        rows = rowArrays.count
        columns = rowArrays.first?.count ?? 0
        storage = [Double](repeating: 0, count: rows * columns)
        for (i, row) in rowArrays.enumerated() {
            precondition(row.count == columns, "ragged matrix")
            for j in 0..<columns { storage[j * rows + i] = row[j] }
        }
    }

    /// From columns (each of the same length).
    public init(columnArrays: [[Double]]) {
        columns = columnArrays.count
        rows = columnArrays.first?.count ?? 0
        storage = []
        storage.reserveCapacity(rows * columns)
        for c in columnArrays {
            precondition(c.count == rows, "ragged matrix")
            storage.append(contentsOf: c)
        }
    }

    @inlinable public subscript(i: Int, j: Int) -> Double {
        get { storage[j * rows + i] }
        set { storage[j * rows + i] = newValue }
    }

    public func column(_ j: Int) -> [Double] { Array(storage[(j * rows)..<((j + 1) * rows)]) }

    /// self · v
    public func times(_ v: [Double]) -> [Double] {
        precondition(v.count == columns)
        var out = [Double](repeating: 0, count: rows)
        for j in 0..<columns where v[j] != 0 {
            let base = j * rows
            let s = v[j]
            for i in 0..<rows { out[i] += storage[base + i] * s }
        }
        return out
    }

    /// selfᵀ · v
    public func transposeTimes(_ v: [Double]) -> [Double] {
        precondition(v.count == rows)
        var out = [Double](repeating: 0, count: columns)
        for j in 0..<columns {
            let base = j * rows
            var s = 0.0
            for i in 0..<rows { s += storage[base + i] * v[i] }
            out[j] = s
        }
        return out
    }
}

/// Euclidean norm without overflow or underflow for badly scaled vectors.
@inlinable public func euclideanNorm<C: Collection>(_ v: C) -> Double where C.Element == Double {
    var scale = 0.0
    var sum = 1.0
    for x in v where x != 0 {
        let a = abs(x)
        if scale < a {
            sum = 1 + sum * (scale / a) * (scale / a)
            scale = a
        } else {
            sum += (a / scale) * (a / scale)
        }
    }
    return scale == 0 ? 0 : scale * sum.squareRoot()
}
