import NDJSONIO
import RecordSchema
import SyntheticData

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `fit --selftest`: fits synthetic functions whose truth is known (the emulator's physics)
/// and prints, per function, the nested cross-validated error and the recommended vs true
/// cheapest size (passing when the recommendation's true cost is within 2% of the cheapest).
public enum SelfTest {
    public struct Report: Sendable {
        public var text: String
        public var passed: Bool
    }

    public static let memorySizes = [128, 256, 512, 1024, 1769, 3008]

    public static func run(settings: FitSettings, pricing: PricingUsed) -> Report {
        let functions = [
            SyntheticFunction.cpuBound(), SyntheticFunction.sleepBound(),
            SyntheticFunction(
                name: "parrotfish-shaped", payload: #"{"cmds":{"io":{"cnt":10}}}"#,
                duration: { m in 40 + 3000 * exp(-m / 300) },
                initDuration: { _ in 200 }, maxMemoryMB: 50, noise: 0.04),
        ]
        var data = LogData()
        SyntheticLogs.generate(functions, memorySizes: memorySizes, perSize: 60, seed: 7) { record in
            if case .log(let l) = record { CallFacts.with(l.invocation, l.report) { data.add($0) } }
            if case .run(let h) = record { data.header = h }
        }
        let models = Fitter.models(data, inputPath: "synthetic", pricing: pricing, settings: settings)
        var text = "function            form        in-sample MAPE  nested CV  cheapest  true cheapest  ok\n"
        var passed = true
        for f in functions {
            guard let m = models.functions.first(where: { $0.function == f.name }), let rt = m.runtime,
                let cheapest = m.recommendations?.cheapest
            else {
                text += "\(f.name): no model\n"
                passed = false
                continue
            }
            let grid = settings.grid(adding: memorySizes).filter { $0 >= memorySizes.min()! && $0 <= memorySizes.max()! }
            let truth = grid.min { a, b in
                f.trueCost(
                    Double(a), gbSecondUSD: pricing.gbSecondUSD, requestUSD: pricing.requestUSD, granularityMs: pricing.billingGranularityMs
                )
                    < f.trueCost(
                        Double(b), gbSecondUSD: pricing.gbSecondUSD, requestUSD: pricing.requestUSD,
                        granularityMs: pricing.billingGranularityMs)
            }!
            func cost(_ m: Int) -> Double {
                f.trueCost(
                    Double(m), gbSecondUSD: pricing.gbSecondUSD, requestUSD: pricing.requestUSD, granularityMs: pricing.billingGranularityMs
                )
            }
            // Within 2% of the true cheapest cost (sizes whose costs differ by less are equally right).
            let regret = cost(cheapest.memoryMB) / cost(truth) - 1
            let ok = (rt.looMape ?? 100) <= 10 && regret <= 0.02
            passed = passed && ok
            text +=
                pad(f.name, 20) + pad(rt.form, 12) + pad("\(significant(rt.mape, 3))%", 16)
                + pad("\(rt.looMape.map { "\(significant($0, 3))%" } ?? "n/a")", 11)
                + pad("\(cheapest.memoryMB) MB", 10) + pad("\(truth) MB", 15) + (ok ? "yes" : "NO") + "\n"
        }
        text += passed ? "selftest: passed\n" : "selftest: FAILED\n"
        return Report(text: text, passed: passed)
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
}
