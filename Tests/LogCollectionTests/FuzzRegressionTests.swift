import Foundation
import Testing

@testable import LogCollection

/// Inputs of fuzz-report-line and fuzz-filter-page (Fuzz/, docs/fuzzing.md), kept as
/// regressions: a memory figure past Int's range trapped in the conversion; now it makes the
/// line unparseable (counted and reported by await-logs), as a missing one does.
@Suite("Fuzzing regressions: REPORT lines")
struct ReportLineFuzzRegressionTests {
    static let id = "8f5e8d7a-6b3c-4d2e-9f1a-0b1c2d3e4f50"

    @Test(arguments: [
        "REPORT RequestId: x Duration: 1 ms Billed Duration: 1 ms Memory Size: 1e30 MB",
        "REPORT RequestId: \(id)\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 99999999999999999999 MB\tMax Memory Used: 1 MB",
        "REPORT RequestId: \(id)\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 1e19 MB",
        "REPORT RequestId: \(id)\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: -128 MB",
        #"{"type":"platform.report","record":{"requestId":"x","metrics":{"durationMs":1,"memorySizeMB":1e300}}}"#,
        #"{"type":"platform.report","record":{"requestId":"x","metrics":{"durationMs":1,"memorySizeMB":128,"maxMemoryUsedMB":-1e30}}}"#,
    ])
    func memoryPastIntsRangeIsUnparseable(_ line: String) {
        guard case .unparseable(let reason) = ReportLineParser.parse(line) else {
            Issue.record("expected unparseable: \(ReportLineParser.parse(line))")
            return
        }
        #expect(reason.contains("out of range"))
    }

    /// The input the 10-minute fuzz-report-line run saved (a 64-digit Memory Size among damaged bytes).
    @Test func fuzzerInput() throws {
        let bytes = try #require(
            Data(
                base64Encoded:
                    "UkVQT1JUIFJlcXVlc3RJZDogNTZiYzU2NmQtMWUyY3MCZ2lsbGVkIER1cmF0aW9uOiA1MDAgbXMJTWVtb3J5IFNpemU6IDEwMjogNTdiYzU2NmQtMWUyY3MJQmlsbGVkIER1cmF0aW9uOiA1MDAgbXMJTWVtb3J5IFNpemU6IDEwMjQgTUIJTWF4IE1VbnNhZmUgMTAyQ2xvc2VkUmFuZ2Vtb3J5IFVyeSBVc2VkOiAyMSBNQglSZXJ5IFNpemU6IDEw//8gTUIJTWHb29vb29vb29vb29vb21JFUE9SVCBSZXF1ZXN0SWQ6IDU2YmM1NjZkLTFlMmNzCUJpbGxlZCBEdXJhdGlvbjogNTAwIG1zCU1lbW9yeSBTaXplOiAxMDIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyIDFkOiBNZW1vcnkgVXMgZGU6MjEgTUIJUjogNzUwbXM="
            ))
        let parsed = [UInt8](bytes).withUnsafeBufferPointer { ReportLineParser.parse($0) }
        guard case .unparseable(let reason) = parsed else {
            Issue.record("expected unparseable: \(parsed)")
            return
        }
        #expect(reason == "Memory Size out of range")
    }

    @Test func ordinaryFiguresStillParse() {
        let line =
            "REPORT RequestId: \(Self.id)\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 10240 MB\tMax Memory Used: 10240 MB"
        guard case .report(let r) = ReportLineParser.parse(line) else {
            Issue.record("expected a report")
            return
        }
        #expect(r.memoryMB == 10240 && r.maxMemoryMB == 10240)
    }
}

/// A duration beyond a Double's range became an infinite duration that await-logs wrote as
/// null; it makes the line unparseable, like any number that is not one.
@Suite("REPORT lines: numbers beyond a Double's range")
struct ReportLineNonFiniteTests {
    @Test(arguments: [
        "REPORT RequestId: x\tDuration: 1e400 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 1 MB",
        "REPORT RequestId: x\tDuration: 1.00 ms\tBilled Duration: 1e400 ms\tMemory Size: 128 MB\tMax Memory Used: 1 MB",
        #"{"type":"platform.report","record":{"requestId":"x","metrics":{"durationMs":1e400,"memorySizeMB":128}}}"#,
    ])
    func isUnparseable(_ line: String) {
        guard case .unparseable = ReportLineParser.parse(line) else {
            Issue.record("expected unparseable: \(ReportLineParser.parse(line))")
            return
        }
    }
}
