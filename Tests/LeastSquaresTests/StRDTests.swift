import Foundation
import LeastSquares
import Testing

/// NIST StRD validation: the log relative error (correct significant digits) of every
/// certified parameter must meet the targets.
enum Fixtures {
    static func dataset(_ kind: String, _ name: String) throws -> StRDDataset {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(kind)/\(name)", withExtension: "dat"))
        return try StRDDataset(name: name, text: String(contentsOf: url, encoding: .utf8))
    }

    static let linear = [
        "Norris", "Pontius", "NoInt1", "NoInt2", "Filip", "Longley",
        "Wampler1", "Wampler2", "Wampler3", "Wampler4", "Wampler5",
    ]
    static let nonlinear = [
        "Misra1a", "Chwirut2", "Chwirut1", "Lanczos3", "Gauss1", "Gauss2", "DanWood", "Misra1b",
        "Kirby2", "Hahn1", "Nelson", "MGH17", "Lanczos1", "Lanczos2", "Gauss3", "Misra1c",
        "Misra1d", "Roszman1", "ENSO", "MGH09", "Thurber", "BoxBOD", "Rat42", "MGH10",
        "Eckerle4", "Rat43", "Bennett5",
    ]

    /// Smallest LRE over the parameters of a fit.
    static func minimumLRE(_ estimates: [Double], _ d: StRDDataset) -> Double {
        zip(estimates, d.certified).map { StRDDataset.logRelativeError($0, $1) }.min() ?? 0
    }
}

@Suite struct LinearStRDTests {
    @Test(arguments: Fixtures.linear)
    func certifiedParametersToNineDigits(name: String) throws {
        let d = try Fixtures.dataset("linear", name)
        let fit = try d.solveLinear()
        let lre = Fixtures.minimumLRE(fit.coefficients, d)
        let target = name == "Filip" ? 7.0 : 9.0
        #expect(lre >= target, "\(name): minimum LRE \(lre) < \(target)")
        // Standard errors: NIST certifies them too (a looser check: 6 digits; exact fits have SE 0).
        for (se, cert) in zip(fit.standardErrors, d.certifiedStandardDeviations) where cert != 0 {
            #expect(StRDDataset.logRelativeError(se, cert) >= (name == "Filip" ? 4 : 6), "\(name) SE \(se) vs \(cert)")
        }
    }
}

@Suite struct NonlinearStRDTests {
    static func lres(start: Int) throws -> [String: Double] {
        var out: [String: Double] = [:]
        for name in Fixtures.nonlinear {
            let d = try Fixtures.dataset("nonlinear", name)
            let fit = d.solveNonlinear(start: start)
            out[name] = fit.map { Fixtures.minimumLRE($0.parameters, d) } ?? 0
        }
        return out
    }

    @Test func fromSecondStartAllTwentySevenReachSixDigits() throws {
        let lre = try Self.lres(start: 2)
        let failing = lre.filter { $0.value < 6 }.sorted { $0.key < $1.key }
        #expect(failing.isEmpty, "below LRE 6 from start 2: \(failing)")
    }

    @Test func fromFirstStartAtLeastTwentyFourReachSixDigits() throws {
        let lre = try Self.lres(start: 1)
        let failing = lre.filter { $0.value < 6 }.sorted { $0.key < $1.key }
        #expect(lre.count - failing.count >= 24, "below LRE 6 from start 1: \(failing)")
    }

    @Test func standardErrorsMatchCertifiedOnAnEasyProblem() throws {
        let d = try Fixtures.dataset("nonlinear", "Misra1a")
        let fit = try #require(d.solveNonlinear(start: 2))
        for (se, cert) in zip(fit.standardErrors, d.certifiedStandardDeviations) {
            #expect(StRDDataset.logRelativeError(se, cert) >= 5)
        }
    }
}

@Suite struct LevenbergMarquardtTests {
    @Test func boundsAreRespected() throws {
        // y = a·exp(−x/c) with the unconstrained optimum c = 2 but c bounded to ≥ 3.
        let xs = (0..<20).map { [Double($0) / 2] }
        let ys = xs.map { 5 * exp(-$0[0] / 2) }
        var o = LevenbergMarquardt.Options()
        o.lower = [0, 3]
        o.upper = [100, 100]
        let fit = try #require(
            LevenbergMarquardt.curveFit(x: xs, y: ys, starts: [[1, 10]], options: o) { b, x in
                b[0] * Dual.exp(-x[0] / b[1])
            })
        #expect(fit.parameters[1] >= 3 && fit.parameters[1] < 3 + 1e-9)
        #expect(fit.converged)
    }

    @Test func weightedLinearFitDropsADependentColumn() throws {
        // Second and third columns identical: the rank is 2, the fit still exact.
        let rows = (0..<10).map { i in [1.0, Double(i), Double(i)] }
        let y = (0..<10).map { 1 + 2 * Double($0) }
        let fit = try LinearLeastSquares.fit(
            design: Matrix(rowArrays: rows), response: y,
            weights: (0..<10).map { _ in 2 }, hasIntercept: true)
        #expect(fit.rank == 2)
        #expect(abs(fit.coefficients[0] - 1) < 1e-12)
        #expect(abs(fit.coefficients[1] + fit.coefficients[2] - 2) < 1e-12)
        #expect(fit.rSquared > 0.999999)
    }
}
