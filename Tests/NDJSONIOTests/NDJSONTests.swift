import Foundation
import JSON
import RecordSchema
import TestSupport
import Testing
import ToolSupport

@testable import NDJSONIO

@Suite struct NDJSONTests {
    /// Lines longer than the reader's first buffer and lines straddling buffer refills all come out whole.
    @Test func streamsAcrossBufferBoundaries() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var text = ""
        var expected: [Record] = []
        for i in 0..<30_000 {
            var c = Samples.call
            c.seq = i
            if i == 12_345 { c.payload = RawJSON(validated: "\"" + String(repeating: "x", count: 3 << 20) + "\"") }
            expected.append(.schedule(c))
            text += encode(.schedule(c))
            if i % 1000 == 0 { text += "\n" }  // blank lines are skipped
        }
        text.removeLast()  // no final newline
        try dir.write("big.ndjson", text)

        let reader = try NDJSONReader(path: dir.file("big.ndjson"))
        var got: [Record] = []
        try reader.forEachRecord { _, r in got.append(r) }
        #expect(got.count == expected.count)
        #expect(got == expected)
    }

    @Test func errorNamesFileLineAndField() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let good = encode(.schedule(Samples.call))
        try dir.write("s.ndjson", good + "\n" + good.replacingOccurrences(of: #""memory_mb":256"#, with: #""memory_mb":64"#))
        let reader = try NDJSONReader(path: dir.file("s.ndjson"))
        #expect(throws: InputError(file: dir.file("s.ndjson"), line: 3, field: "memory_mb", problem: "missing or outside 128..10240")) {
            try reader.forEachRecord { _, _ in }
        }
    }

    @Test func missingFile() {
        #expect(throws: InputError.self) { _ = try NDJSONReader(path: "/nonexistent/x.ndjson") }
    }

    @Test func outputIsAtomic() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("out.ndjson")
        var writer = NDJSONWriter(try OutputFile(path: path))
        try writer.write(.schedule(Samples.call))
        try writer.flush()
        // Flushed but not committed: nothing is visible (the temporary is unnamed, O_TMPFILE).
        #expect(!dir.exists("out.ndjson"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        try writer.finish()
        #expect(try dir.read("out.ndjson") == encode(.schedule(Samples.call)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.ndjson"])
    }

    @Test func discardedOutputLeavesNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var writer = NDJSONWriter(try OutputFile(path: dir.file("out.ndjson")))
        try writer.write(.schedule(Samples.call))
        try writer.flush()
        writer.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
