import Hashing
import NDJSONIO

/// Reading a million-call run within the time budget: regular files are read on every core
/// through Records' `ParallelNDJSON` (chunks at line boundaries, each file's SHA-256 as one
/// more job), and the chunks' RunData are merged in file order. Standard input is streamed.
enum ParallelLoad {
    /// files: (path, isLogs). Returns one RunData per file (samples not yet sorted) and each file's sha256 and size.
    static func load(_ files: [(path: String, isLogs: Bool)], callsFromLogs: Bool) throws -> [(data: RunData, sha256: String, bytes: Int)] {
        let mapped = try files.map { try MappedFile(path: $0.path) }
        let kinds = files.map(\.isLogs)
        let results = try ParallelNDJSON.run(mapped, whole: { _, file in SHA256.hex(pieces: file.forEachPiece) }) { k, lines in
            var a = Aggregator()
            try lines.forEachLine { try a.add($0, logs: kinds[k], callsFromLogs: callsFromLogs) }
            return a.finish()
        }
        return results.enumerated().map { k, r in
            var data = RunData()
            for part in r.parts { data.append(part) }
            return (data, r.whole, mapped[k].count)
        }
    }
}
