import Foundation
import Modeling
import NDJSONIO
import RecordSchema
import SyntheticData

/// Run folders (logs.ndjson + models.json) built from seeded synthetic records and fitted in
/// process: the fixtures of the history, compare and adaptive tests (never live timings).
public enum RunFolders {
    /// Writes `folder`/logs.ndjson from `SyntheticLogs` and `folder`/models.json from fit.
    @discardableResult
    public static func synthetic(
        _ functions: [SyntheticFunction], sizes: [Int], perSize: Int, seed: UInt64, folder: String, bootstrap: Int = 0
    ) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try SyntheticLogs.write(path: folder + "/logs.ndjson", functions, memorySizes: sizes, perSize: perSize, seed: seed)
        try fit(folder, bootstrap: bootstrap)
        return folder
    }

    /// Fits `folder`/logs.ndjson into `folder`/models.json with the built-in prices.
    public static func fit(_ folder: String, bootstrap: Int = 0) throws {
        var settings = FitSettings()
        settings.bootstrapResamples = bootstrap
        let pricing = try PriceTable.builtIn.pricing(region: "us-east-1", architecture: "x86_64", origin: "built-in")
        let data = try LogData.read(path: folder + "/logs.ndjson")
        let models = Fitter.models(data, inputPath: folder + "/logs.ndjson", pricing: pricing, settings: settings)
        var out = try OutputFile(path: folder + "/models.json")
        try out.write(try models.encoded())
        try out.commit()
    }
}
