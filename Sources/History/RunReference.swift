import Foundation
import ToolSupport

/// A run named on a command line: a run folder (`runs/<name>/`), a history id (`12`, `#12`),
/// or `latest` / `latest~N` (the Nth run before the latest one) in the history database.
public enum RunReference {
    public static func load(_ reference: String, historyPath: String) throws -> RunSnapshot {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: reference, isDirectory: &isFolder), isFolder.boolValue {
            guard RunFolder.isRun(reference) else {
                throw InputError(file: reference, problem: "not a run folder (needs models.json and logs.ndjson)")
            }
            return try RunFolder.load(reference)
        }
        guard let id = try historyID(reference, historyPath: historyPath) else {
            throw InputError(
                file: reference, problem: "neither a run folder nor a run of \(historyPath) (give a folder, an id, latest or latest~N)")
        }
        guard FileManager.default.fileExists(atPath: historyPath), let run = try HistoryStore(path: historyPath).load(id: id) else {
            throw InputError(file: historyPath, problem: "no run with id \(id)")
        }
        return run
    }

    /// The id a reference names in the history, nil when it is not an id form.
    static func historyID(_ reference: String, historyPath: String) throws -> Int64? {
        var text = Substring(reference)
        if text.hasPrefix("#") { text = text.dropFirst() }
        if let id = Int64(text), id > 0 { return id }
        guard text == "latest" || text.hasPrefix("latest~"), let offset = text == "latest" ? 0 : Int(text.dropFirst(7)), offset >= 0
        else { return nil }
        guard FileManager.default.fileExists(atPath: historyPath) else {
            throw InputError(file: historyPath, problem: "no history database (run the pipeline, or history import runs/)")
        }
        guard let id = try HistoryStore(path: historyPath).latestID(offset: offset) else {
            throw InputError(file: historyPath, problem: "has no run \(reference)")
        }
        return id
    }
}
