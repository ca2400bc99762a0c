#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// NIST Statistical Reference Datasets (StRD): the parser, the models, and the log
/// relative error (LRE) check that validates this module's solvers.
///
/// Used by LeastSquaresTests (which enforce the targets) and by `rightsize-bench fit --nist`
/// (which prints the table). The files are NIST's `.dat` format, read as NIST serves them.
public struct StRDDataset: Sendable {
    public var name: String
    public var isLinear: Bool
    /// Predictors per observation (one or more columns after y).
    public var x: [[Double]]
    public var y: [Double]
    public var parameterNames: [String]
    public var certified: [Double]
    public var certifiedStandardDeviations: [Double]
    /// Nonlinear only: NIST's two starting vectors.
    public var start1: [Double]
    public var start2: [Double]

    public enum ParseError: Error, CustomStringConvertible, Sendable {
        case malformed(String)
        public var description: String {
            switch self {
            case .malformed(let s): s
            }
        }
    }

    /// Parses a `.dat` file's text. `name` is the dataset name (e.g. "Misra1a").
    public init(name: String, text: String) throws {
        self.name = name
        // Split on bytes: Swift treats "\r\n" as one Character, so a Character split would not see it.
        let lines = text.utf8.split(separator: 10, omittingEmptySubsequences: false)
            .map { String(decoding: $0.last == 13 ? $0.dropLast() : $0[...], as: UTF8.self) }
        isLinear = text.contains("Linear Least Squares Regression")
        // "Data              (lines 61 to 142)": 1-based line numbers.
        guard let dataLine = lines.first(where: { $0.contains("Data") && $0.contains("(lines") }) else {
            throw ParseError.malformed("\(name): no data line range")
        }
        let nums = dataLine.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard nums.count >= 2, nums[0] >= 1, nums[1] <= lines.count else { throw ParseError.malformed("\(name): bad data range") }
        var xs: [[Double]] = []
        var ys: [Double] = []
        for line in lines[(nums[0] - 1)...(nums[1] - 1)] {
            let v = line.split(separator: " ").compactMap { Double($0) }
            guard v.count >= 2 else { throw ParseError.malformed("\(name): bad data line \"\(line)\"") }
            ys.append(v[0])
            xs.append(Array(v.dropFirst()))
        }
        x = xs
        y = ys
        parameterNames = []
        certified = []
        certifiedStandardDeviations = []
        start1 = []
        start2 = []
        for line in lines {
            let t = line.split(separator: " ").map(String.init)
            if !isLinear, t.count >= 6, t[1] == "=", t[0].hasPrefix("b"), let s1 = Double(t[2]), let s2 = Double(t[3]),
                let c = Double(t[4]), let sd = Double(t[5])
            {
                parameterNames.append(t[0])
                start1.append(s1)
                start2.append(s2)
                certified.append(c)
                certifiedStandardDeviations.append(sd)
            } else if isLinear, t.count == 3, t[0].hasPrefix("B"), Int(t[0].dropFirst()) != nil,
                let c = Double(t[1]), let sd = Double(t[2])
            {
                parameterNames.append(t[0])
                certified.append(c)
                certifiedStandardDeviations.append(sd)
            }
        }
        guard !certified.isEmpty else { throw ParseError.malformed("\(name): no certified values") }
    }

    /// Correct significant digits of `estimate` against `certified` (NIST's LRE), capped at `cap`.
    public static func logRelativeError(_ estimate: Double, _ certified: Double, cap: Double = 15) -> Double {
        guard estimate.isFinite else { return 0 }
        let err = certified == 0 ? abs(estimate) : abs(estimate - certified) / abs(certified)
        if err == 0 { return cap }
        return max(0, min(cap, -log10(err)))
    }

    // MARK: Solving

    /// Linear datasets: the design matrix NIST's model implies.
    /// Several predictors: intercept + each (Longley). B0 absent: y = B1·x (NoInt). Else a polynomial.
    public func linearDesign() -> (design: Matrix, hasIntercept: Bool) {
        let p = certified.count
        if x[0].count > 1 {
            return (Matrix(rowArrays: x.map { [1] + $0 }), true)
        }
        if parameterNames.first == "B1" {
            return (Matrix(rowArrays: x.map { row in (1...p).map { pow(row[0], Double($0)) } }), false)
        }
        return (Matrix(rowArrays: x.map { row in (0..<p).map { pow(row[0], Double($0)) } }), true)
    }

    public func solveLinear() throws -> LinearFit {
        let (design, intercept) = linearDesign()
        return try LinearLeastSquares.fit(design: design, response: y, hasIntercept: intercept)
    }

    /// Nonlinear datasets: fits from NIST's start 1 or 2.
    public func solveNonlinear(start: Int) -> NonlinearFit? {
        guard let model = Self.models[name] else { return nil }
        var response = y
        if name == "Nelson" { response = y.map { log($0) } }  // NIST's model is for log[y]
        var options = LevenbergMarquardt.Options()
        options.maxIterations = 5000
        return LevenbergMarquardt.curveFit(
            x: x, y: response, starts: [start == 1 ? start1 : start2], options: options,
            model: model)
    }

    /// The certified models, as NIST writes them, over dual numbers.
    public static let models: [String: @Sendable ([Dual], [Double]) -> Dual] = {
        let pi = 3.141592653589793238462643383279
        let misra1a: @Sendable ([Dual], [Double]) -> Dual = { b, x in b[0] * (1 - Dual.exp(-b[1] * x[0])) }
        let chwirut: @Sendable ([Dual], [Double]) -> Dual = { b, x in Dual.exp(-b[0] * x[0]) / (b[1] + b[2] * x[0]) }
        let lanczos: @Sendable ([Dual], [Double]) -> Dual = { b, x in
            b[0] * Dual.exp(-b[1] * x[0]) + b[2] * Dual.exp(-b[3] * x[0]) + b[4] * Dual.exp(-b[5] * x[0])
        }
        let gauss: @Sendable ([Dual], [Double]) -> Dual = { b, x in
            let t1 = (x[0] - b[3]) / b[4]
            let t2 = (x[0] - b[6]) / b[7]
            return b[0] * Dual.exp(-b[1] * x[0]) + b[2] * Dual.exp(-(t1 * t1)) + b[5] * Dual.exp(-(t2 * t2))
        }
        let cubicRatio: @Sendable ([Dual], [Double]) -> Dual = { b, x in
            let v = x[0]
            return (b[0] + b[1] * v + b[2] * (v * v) + b[3] * (v * v * v)) / (1 + b[4] * v + b[5] * (v * v) + b[6] * (v * v * v))
        }
        return [
            "Misra1a": misra1a,
            "Chwirut1": chwirut, "Chwirut2": chwirut,
            "Lanczos1": lanczos, "Lanczos2": lanczos, "Lanczos3": lanczos,
            "Gauss1": gauss, "Gauss2": gauss, "Gauss3": gauss,
            "DanWood": { b, x in b[0] * Dual.pow(Dual(x[0]), b[1]) },
            "Misra1b": { b, x in b[0] * (1 - Dual.pow(1 + b[1] * x[0] / 2, -2)) },
            "Kirby2": { b, x in
                let v = x[0]
                return (b[0] + b[1] * v + b[2] * (v * v)) / (1 + b[3] * v + b[4] * (v * v))
            },
            "Hahn1": cubicRatio, "Thurber": cubicRatio,
            "Nelson": { b, x in b[0] - b[1] * x[0] * Dual.exp(-b[2] * x[1]) },
            "MGH17": { b, x in b[0] + b[1] * Dual.exp(-x[0] * b[3]) + b[2] * Dual.exp(-x[0] * b[4]) },
            "Misra1c": { b, x in b[0] * (1 - Dual.pow(1 + 2 * b[1] * x[0], -0.5)) },
            "Misra1d": { b, x in b[0] * b[1] * x[0] / (1 + b[1] * x[0]) },
            "Roszman1": { b, x in b[0] - b[1] * x[0] - Dual.atan(b[2] / (x[0] - b[3])) / pi },
            "ENSO": { b, x in
                let w = 2 * pi * x[0]
                return b[0] + b[1] * cos(w / 12) + b[2] * sin(w / 12)
                    + b[4] * Dual.cos(w / b[3]) + b[5] * Dual.sin(w / b[3])
                    + b[7] * Dual.cos(w / b[6]) + b[8] * Dual.sin(w / b[6])
            },
            "MGH09": { b, x in
                let v = x[0]
                return b[0] * (v * v + v * b[1]) / (v * v + v * b[2] + b[3])
            },
            "BoxBOD": misra1a,
            "Rat42": { b, x in b[0] / (1 + Dual.exp(b[1] - b[2] * x[0])) },
            "MGH10": { b, x in b[0] * Dual.exp(b[1] / (x[0] + b[2])) },
            "Eckerle4": { b, x in
                let t = (x[0] - b[2]) / b[1]
                return (b[0] / b[1]) * Dual.exp(-0.5 * (t * t))
            },
            "Rat43": { b, x in b[0] / Dual.pow(1 + Dual.exp(b[1] - b[2] * x[0]), 1 / b[3]) },
            "Bennett5": { b, x in b[0] * Dual.pow(b[1] + x[0], -1 / b[2]) },
        ]
    }()
}
