import Foundation
import RecordSchema
import TestSupport
import Testing

@testable import NDJSONIO

/// Records' parallel reading: results in file order whatever the scheduling, absolute line
/// numbers in errors, and mapped pages released without losing bytes.
@Suite struct ParallelReadingTests {
    @Test func concurrentMapKeepsElementOrder() {
        #expect([Int]().concurrentMap { $0 * 2 } == [])
        #expect([7].concurrentMap { $0 * 2 } == [14])
        let values = Array(0..<10_000)
        #expect(values.concurrentMap { String($0) } == values.map { String($0) })
    }

    func file(_ lines: [String]) throws -> (TemporaryDirectory, MappedFile) {
        let dir = try TemporaryDirectory("parallel-ndjson")
        try dir.write("x.ndjson", lines.joined(separator: "\n") + "\n")
        return (dir, try MappedFile(path: dir.file("x.ndjson")))
    }

    @Test func chunksComeBackInFileOrderWithTheWholeFileJob() throws {
        let lines = (1...5000).map { #"{"n":\#($0)}"# }
        let (dir, mapped) = try file(lines)
        defer { dir.remove() }
        let result = try ParallelNDJSON.run(
            [mapped], chunkBytes: 4096,
            whole: { _, file in
                var bytes: [UInt8] = []
                file.forEachPiece { bytes += $0 }
                return bytes
            }
        ) { _, chunk in
            var seen: [String] = []
            try chunk.forEachLine { seen.append(String(decoding: $0, as: UTF8.self)) }
            return seen
        }[0]
        #expect(result.parts.count > 10)
        #expect(Array(result.parts.joined()) == lines)
        #expect(result.whole == Array((lines.joined(separator: "\n") + "\n").utf8))
        // Released pages read again from the file.
        #expect(Array(mapped.bytes) == result.whole)
    }

    @Test func aBadLineIsNumberedFromTheStartOfTheFile() throws {
        var lines = (1...3000).map { #"{"n":\#($0)}"# }
        lines[2345] = "bad"
        let (dir, mapped) = try file(lines)
        defer { dir.remove() }
        #expect {
            _ = try ParallelNDJSON.run([mapped], chunkBytes: 1000, whole: { _, _ in 0 }) { _, chunk in
                try chunk.forEachLine { line in
                    if line.first == UInt8(ascii: "b") { throw FieldFailure(field: "n", problem: "not JSON") }
                }
            }
        } throws: { error in
            "\(error)".contains(":2346: n: not JSON")
        }
    }
}
