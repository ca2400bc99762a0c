import LeastSquares
import Testing

/// Non-negative least squares against the optimality conditions it must meet (KKT): on the
/// support the gradient is zero, off it the gradient points into the constraint.
@Suite struct NonNegativeLeastSquaresTests {
    /// y = 5 + 300/m − 0.2·(1769/min(m,1769)) exactly: the unconstrained fit has a negative
    /// coefficient, the constrained one drops that column and refits the others.
    @Test func negativeCoefficientIsDroppedAndTheRestRefitted() throws {
        let ms: [Double] = [128, 256, 512, 1024, 1769, 3008]
        let rows = ms.map { [1, 1 / $0, 1769 / min($0, 1769)] }
        let y = ms.map { 5 + 300 / $0 - 0.2 * 1769 / min($0, 1769) }
        let unconstrained = try LinearLeastSquares.fit(design: Matrix(rowArrays: rows), response: y, hasIntercept: true)
        #expect(unconstrained.coefficients[2] < 0)
        let s = try #require(NonNegativeLeastSquares.fit(design: Matrix(rowArrays: rows), response: y))
        #expect(s.coefficients.allSatisfy { $0 >= 0 })
        #expect(s.coefficients[2] == 0 && !s.support.contains(2))
        // KKT: gradient Xᵀ(Xβ − y) is 0 on the support and ≥ 0 off it.
        let x = Matrix(rowArrays: rows)
        let r = zip(x.times(s.coefficients), y).map { $0 - $1 }
        let gradient = x.transposeTimes(r)
        let scale = y.map(abs).max()!
        for j in 0..<3 {
            if s.support.contains(j) { #expect(abs(gradient[j]) <= 1e-8 * scale) } else { #expect(gradient[j] >= -1e-8 * scale) }
        }
    }

    @Test func feasibleSolutionEqualsOrdinaryLeastSquares() throws {
        let ms: [Double] = [128, 512, 1024, 2048]
        let rows = ms.map { [1, 1769 / min($0, 1769)] }
        let y = ms.map { 4 + 180 * 1769 / min($0, 1769) + ($0 == 512 ? 3 : -1) }
        let w = ms.map { 1 / ($0 * $0) }
        let ols = try LinearLeastSquares.fit(design: Matrix(rowArrays: rows), response: y, weights: w, hasIntercept: true)
        let s = try #require(NonNegativeLeastSquares.fit(design: Matrix(rowArrays: rows), response: y, weights: w))
        for j in 0..<2 { #expect(abs(s.coefficients[j] - ols.coefficients[j]) <= 1e-9 * abs(ols.coefficients[j])) }
        #expect(s.support == [0, 1])
    }

    @Test func noRowsGivesNil() {
        #expect(NonNegativeLeastSquares.fit(design: Matrix(rows: 0, columns: 2), response: []) == nil)
    }
}
