import ArgumentParser
import Foundation
import Modeling
import NDJSONIO
import ToolSupport

/// `fit`: logs.ndjson -> models.json (runtime, memory, cold-start and cost models per function).
@main
struct Fit: RightsizeTool {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit runtime, memory, cold-start and cost models to logs.ndjson and write models.json.",
        discussion: """
            Reads the log records await-logs wrote, models every function (and every distinct payload \
            of it) against memory size, and recommends the cheapest, fastest, balanced and latency-bound \
            memory sizes with confidence intervals. Warnings (too few sizes, extrapolation, OOMs) go to \
            stderr and into models.json. Exit 0 on success (also for a partial model), 2 on bad input. \
            See docs/fit.md.
            """)

    @Argument(help: "logs.ndjson from await-logs ('-' or omitted = standard input).")
    var input: String?

    @Option(name: .shortAndLong, help: "Where to write models.json ('-' = standard output).")
    var output: String = "-"

    @Option(help: "Price table to use instead of the built-in one (same format as data/prices.json).")
    var prices: String?

    @Option(help: "Architecture whose prices apply: x86_64 or arm64.")
    var architecture: String = "x86_64"

    @Option(help: "Region whose prices apply.")
    var region: String = "us-east-1"

    @Option(
        name: .customLong("max-duration-ms"),
        help: "Latency bound: also recommend the cheapest size predicted to finish within this many ms.")
    var maxDurationMs: Double?

    @Option(help: "Weight of cost in the balanced score w*cost/min_cost + (1-w)*duration/min_duration, 0...1.")
    var balancedWeight: Double = FitSettings().balancedWeight

    @Option(
        name: .customLong("grid-step"),
        help: "Step of the memory grid costs are computed on, MB (grid 128...10240 plus the measured sizes).")
    var gridStep: Int = FitSettings().gridStepMB

    @Option(
        name: .customLong("current-memory-mb"),
        help: "The function's current memory size, for the savings (default: the first phase's size).")
    var currentMemoryMB: Int?

    @Option(
        name: .customLong("cold-start-share"),
        help:
            "Share of invocations expected to be cold starts in production, 0...1, for the cost of Init Duration (default: the share observed in the run)."
    )
    var coldStartShare: Double?

    @Flag(help: "Let recommendations pick sizes outside the measured range (the runtime form is then extrapolated).")
    var extrapolate = false

    @Option(help: "Bootstrap replicates for the confidence intervals.")
    var bootstrap: Int = FitSettings().bootstrapResamples

    @Option(help: "Also propose the next K memory sizes to measure, among --candidates (docs/fit.md, Adaptive sizing).")
    var suggest: Int?

    @Option(help: "Candidate memory sizes for --suggest and --initial-design (comma-separated MB).")
    var candidates: String = "128,256,384,512,768,1024,1536,2048,3008,4096"

    @Option(name: .customLong("suggest-output"), help: "Write the suggested sizes here (comma-separated; empty when stable).")
    var suggestOutput: String?

    @Flag(name: .customLong("initial-design"), help: "Print the first design of an adaptive run among --candidates and exit.")
    var initialDesign = false

    var candidateSizes: [Int] { candidates.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    @Flag(help: "Fit synthetic CPU-bound and sleep-bound functions with a known truth, print the check table and exit.")
    var selftest = false

    func validate() throws {
        guard ["x86_64", "arm64"].contains(architecture) else { throw ValidationError("--architecture must be x86_64 or arm64") }
        guard (0...1).contains(balancedWeight) else { throw ValidationError("--balanced-weight must be within 0...1") }
        guard (1...10112).contains(gridStep) else { throw ValidationError("--grid-step must be 1...10112 MB") }
        if let m = maxDurationMs, !(m > 0) { throw ValidationError("--max-duration-ms must be positive") }
        if let c = currentMemoryMB, !(128...10240).contains(c) { throw ValidationError("--current-memory-mb must be 128...10240") }
        guard (0...100_000).contains(bootstrap) else { throw ValidationError("--bootstrap must be 0...100000") }
        if let c = coldStartShare, !(0...1).contains(c) { throw ValidationError("--cold-start-share must be within 0...1") }
        if let k = suggest, !(1...20).contains(k) { throw ValidationError("--suggest must be 1...20") }
        let sizes = candidates.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard sizes.count >= 2, sizes.allSatisfy({ $0.map { (128...10240).contains($0) } ?? false }) else {
            throw ValidationError("--candidates must be 2 or more comma-separated sizes in 128...10240")
        }
    }

    func run() throws {
        var settings = FitSettings()
        settings.maxDurationMs = maxDurationMs
        settings.balancedWeight = balancedWeight
        settings.gridStepMB = gridStep
        settings.currentMemoryMB = currentMemoryMB
        settings.bootstrapResamples = bootstrap
        settings.coldStartShare = coldStartShare
        settings.extrapolate = extrapolate
        let table = try prices.map { try PriceTable.load(path: $0) } ?? PriceTable.builtIn
        let pricing = try table.pricing(region: region, architecture: architecture, origin: prices ?? "built-in")

        if initialDesign {
            print(Suggestion.initialDesign(candidateSizes).map(String.init).joined(separator: ","))
            return
        }
        if selftest {
            let report = SelfTest.run(settings: settings, pricing: pricing)
            print(report.text, terminator: "")
            if !report.passed { throw ExitCode(ExitStatus.failure) }
            return
        }

        TemporaryFiles.removeOnInterrupt()
        let data = try LogData.read(path: input)
        let models = Fitter.models(data, inputPath: input ?? "-", pricing: pricing, settings: settings)
        var out = try OutputFile(path: output)
        try out.write(try models.encoded())
        try out.commit()
        for f in models.functions {
            for w in f.warnings { StandardError.line("fit", "warning: \(f.function) [\(f.payloadGroup)]: \(w)") }
        }
        for w in models.warnings { StandardError.line("fit", "warning: \(w)") }
        if let k = suggest {
            let s = Suggestion.next(models, candidates: candidateSizes, k: k)
            for line in s.lines { StandardError.line("fit", "suggest: \(line)") }
            StandardError.line(
                "fit",
                s.stable
                    ? "suggest: stable, nothing to measure" : "suggest: measure \(s.sizes.map(String.init).joined(separator: ", ")) MB next"
            )
            if let path = suggestOutput {
                var out = try OutputFile(path: path)
                try out.write(s.sizes.map(String.init).joined(separator: ",") + "\n")
                try out.commit()
            }
        }
        for f in models.functions where f.payloadGroup == "all" {
            let line: String
            if let c = f.recommendations?.cheapest {
                line =
                    "fit: \(f.function): cheapest \(c.memoryMB) MB (\(c.memoryCILoMB)..\(c.memoryCIHiMB)), "
                    + "$\(c.costPerMillionUSD)/M invocations, form \(f.runtime?.form ?? "-"), nested CV error \(f.runtime?.looMape.map { "\($0)%" } ?? "n/a"), \(c.source ?? "modelled")"
            } else {
                line = "fit: \(f.function): no recommendation (see warnings)"
            }
            StandardError.write(line + "\n")
        }
    }
}
