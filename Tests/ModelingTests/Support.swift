import Foundation
import JSON
import Modeling
import RecordSchema
import SyntheticData
import TestSupport

/// Runs the real `fit` binary on generated or hand-edited log files.
struct FitRun {
    let dir: TemporaryDirectory
    var result: Tools.Result
    var modelsText: String?

    var models: ModelsFile? {
        modelsText.flatMap { try? JSONDecoder().decode(ModelsFile.self, from: Data($0.utf8)) }
    }

    /// Writes `lines` as logs.ndjson and runs fit on it with `arguments`.
    static func run(lines: [String], _ arguments: [String] = []) throws -> FitRun {
        let dir = try TemporaryDirectory("fit-test")
        try dir.write("logs.ndjson", lines.map { $0 + "\n" }.joined())
        let result = try Tools.run("fit", [dir.file("logs.ndjson"), "-o", dir.file("models.json")] + arguments)
        let text = dir.exists("models.json") ? try dir.read("models.json") : nil
        return FitRun(dir: dir, result: result, modelsText: text)
    }

    /// Synthetic records as NDJSON lines; `edit` may change (or drop, by returning nil) each log record.
    static func lines(
        _ functions: [SyntheticFunction], sizes: [Int], perSize: Int, coldPerSize: Int = 0, seed: UInt64 = 3,
        edit: (LogRecord) -> LogRecord? = { $0 }
    ) -> [String] {
        var out: [String] = []
        SyntheticLogs.generate(functions, memorySizes: sizes, perSize: perSize, coldPerSize: coldPerSize, seed: seed) { record in
            var r = record
            if case .log(let l) = record {
                guard let e = edit(l) else { return }
                r = .log(e)
            }
            var w = JSONWriter()
            r.write(to: &w)
            out.append(String(decoding: w.bytes.dropLast(), as: UTF8.self))
        }
        return out
    }
}

extension ModelsFile {
    func model(_ function: String, group: String = "all") -> FunctionModel? {
        functions.first { $0.function == function && $0.payloadGroup == group }
    }
}
