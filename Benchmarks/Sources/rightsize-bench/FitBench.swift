import ArgumentParser
import Foundation
import LeastSquares
import Modeling
import NDJSONIO
import RecordSchema
import SyntheticData

#if canImport(Glibc)
import Glibc
#endif

/// `rightsize-bench fit`: generates log records (the emulator's physics, 3 functions x 6 sizes),
/// runs the real `fit` binary on them end to end (parse + fit + write), and reports wall time
/// and peak RSS. With --nist, prints the NIST StRD LRE table of the least-squares module instead.
struct FitBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit", abstract: "Time fit on generated log records (target: 1,000,000 in <= 1 s), or print the NIST LRE table.")

    @Option(help: "Log records to generate.")
    var records: Int = 1_000_000

    @Option(help: "Path of the fit executable (default: the main package's release build, or $RIGHTSIZE_BIN).")
    var fit: String?

    @Option(help: "Keep the generated logs.ndjson at this path instead of a temporary file.")
    var keep: String?

    @Option(help: "Use this logs.ndjson instead of generating records (e.g. one kept with --keep).")
    var input: String?

    @Option(help: "Print the LRE table for the NIST StRD .dat files under this folder (linear/ and nonlinear/) and exit.")
    var nist: String?

    func run() throws {
        if let nist {
            try printLRETable(nist)
            return
        }
        let sizes = [128, 256, 512, 1024, 1769, 3008]
        let functions = [
            SyntheticFunction.cpuBound(), SyntheticFunction.sleepBound(),
            SyntheticFunction.cpuBound(name: "cpu-heavy", baseMs: 20, workMs: 900, maxMemoryMB: 300),
        ]
        let perSize = max(1, records / (sizes.count * functions.count))
        let path = input ?? keep ?? NSTemporaryDirectory() + "rightsize-fit-bench-\(getpid()).ndjson"
        defer { if keep == nil && input == nil { unlink(path) } }
        var t0 = Date()
        if input == nil {
            try SyntheticLogs.write(path: path, functions, memorySizes: sizes, perSize: perSize, coldPerSize: 2)
        }
        let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if input == nil {
            print(
                "generated \(perSize * sizes.count * functions.count) log records (\(bytes / 1_000_000) MB) in \(String(format: "%.2f", Date().timeIntervalSince(t0))) s"
            )
        }

        let exe = fit ?? ToolBinaries.path("fit")
        let out = path + ".models.json"
        defer { unlink(out) }
        var pid: pid_t = 0
        let args = [exe, path, "-o", out]
        var cargs = args.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        // Silence fit's stderr summary so the figures below stand out.
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        t0 = Date()
        guard posix_spawn(&pid, exe, &actions, nil, &cargs, environ) == 0 else { throw ValidationError("cannot run \(exe)") }
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        let wall = Date().timeIntervalSince(t0)
        posix_spawn_file_actions_destroy(&actions)
        let cpu =
            Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        print(
            "fit: exit \(status >> 8), wall \(String(format: "%.3f", wall)) s, cpu \(String(format: "%.3f", cpu)) s, peak RSS \(usage.ru_maxrss / 1024) MB"
        )
        let count = try profile(path)
        print(
            "throughput: \(String(format: "%.0f", Double(count) / wall)) records/s, \(String(format: "%.0f", Double(bytes) / 1e6 / wall)) MB/s"
        )
        // The generator makes equal counts per function and size (999,990 for 1,000,000), so
        // the target is judged as a rate.
        let rate = Double(count) / wall
        print(
            "target: 1,000,000 records <= 1 s, i.e. >= 1,000,000 records/s: \(count < 900_000 ? "n/a (fewer records)" : rate >= 1_000_000 ? "met" : "NOT met")"
        )
    }

    /// Where the time goes, in this process: splitting lines, decoding records, and modelling.
    /// Returns the number of log records.
    func profile(_ path: String) throws -> Int {
        // Process CPU time (all threads): on a shared, loaded machine it is a steadier figure than wall time.
        func cpuNow() -> Double {
            var u = rusage()
            #if os(Linux)
            getrusage(RUSAGE_SELF.rawValue, &u)
            #else
            getrusage(RUSAGE_SELF, &u)
            #endif
            return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec)
                / 1e6
        }
        var wallTimes: [Double] = []
        func timed(_ body: () throws -> Void) rethrows -> Double {
            let t = Date()
            let c = cpuNow()
            try body()
            wallTimes.append(Date().timeIntervalSince(t))
            return cpuNow() - c
        }
        var lines = 0
        let split = try timed {
            let reader = try NDJSONReader(path: path)
            try reader.forEachLine { _, _ in lines += 1 }
        }
        var decoded = 0
        let decode = try timed {
            let reader = try NDJSONReader(path: path)
            try reader.forEachRecord { _, _ in decoded += 1 }
        }
        var data = LogData()
        let read = try timed { data = try LogData.read(path: path) }
        var settings = FitSettings()
        let pricing = try PriceTable.builtIn.pricing(region: "us-east-1", architecture: "x86_64", origin: "built-in")
        var models: ModelsFile?
        let model = timed { models = Fitter.models(data, inputPath: path, pricing: pricing, settings: settings) }
        settings.bootstrapResamples = 0
        let modelNoBootstrap = timed { _ = Fitter.models(data, inputPath: path, pricing: pricing, settings: settings) }
        var bytes: [UInt8] = []
        let encode = try timed { bytes = try models!.encoded() }
        print("profile (in process, \(lines) lines; CPU s, wall s):")
        print(String(format: "  split lines (NDJSONReader.forEachLine)       %6.3f  %6.3f", split, wallTimes[0]))
        print(String(format: "  split + decode records (forEachRecord)       %6.3f  %6.3f", decode, wallTimes[1]))
        print(String(format: "  LogData.read (projection + SHA-256 + collect) %6.3f  %6.3f", read, wallTimes[2]))
        print(
            String(
                format: "  models, %d bootstrap replicates             %6.3f  %6.3f", FitSettings().bootstrapResamples, model, wallTimes[3])
        )
        print(String(format: "  models, no bootstrap                         %6.3f  %6.3f", modelNoBootstrap, wallTimes[4]))
        print(String(format: "  encode models.json (%d KB)                  %6.3f  %6.3f", bytes.count / 1024, encode, wallTimes[5]))
        return data.logRecordCount
    }

    func printLRETable(_ dir: String) throws {
        print("dataset      kind       min LRE start1  min LRE start2   (linear: one solve)")
        var below = [0, 0]
        for kind in ["linear", "nonlinear"] {
            let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/" + kind).filter { $0.hasSuffix(".dat") }.sorted()
            for file in files {
                let name = String(file.dropLast(4))
                let d = try StRDDataset(name: name, text: String(contentsOfFile: dir + "/" + kind + "/" + file, encoding: .utf8))
                func lre(_ est: [Double]?) -> Double {
                    guard let est else { return 0 }
                    return zip(est, d.certified).map { StRDDataset.logRelativeError($0, $1) }.min() ?? 0
                }
                if d.isLinear {
                    let l = lre(try? d.solveLinear().coefficients)
                    print(name.padding(toLength: 13, withPad: " ", startingAt: 0) + "linear     " + String(format: "%6.2f", l))
                } else {
                    let f1 = d.solveNonlinear(start: 1)
                    let f2 = d.solveNonlinear(start: 2)
                    let l1 = lre(f1?.parameters)
                    let l2 = lre(f2?.parameters)
                    if l1 < 6 { below[0] += 1 }
                    if l2 < 6 { below[1] += 1 }
                    func how(_ f: NonlinearFit?) -> String { f.map { "\($0.iterations) it, \($0.stopReason)" } ?? "failed" }
                    print(
                        name.padding(toLength: 13, withPad: " ", startingAt: 0) + "nonlinear  "
                            + String(format: "%6.2f          %6.2f", l1, l2) + "   (\(how(f1)); \(how(f2)))")
                }
            }
        }
        print("nonlinear below LRE 6: start 1: \(below[0]) of 27, start 2: \(below[1]) of 27")
    }
}
