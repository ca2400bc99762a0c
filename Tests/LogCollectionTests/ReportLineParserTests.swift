import Foundation
import RecordSchema
import Testing

@testable import LogCollection

/// The real lines of Fixtures/report-lines.txt (see Fixtures/SOURCE.txt).
let fixtureLines: [String] = {
    let url = Bundle.module.url(forResource: "Fixtures/report-lines", withExtension: "txt")!
    let text = try! String(contentsOf: url, encoding: .utf8)
    return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
}()

func report(_ line: String) throws -> Report {
    guard case .report(let r) = ReportLineParser.parse(line) else {
        Issue.record("not parsed as a report: \(ReportLineParser.parse(line)) for \(line)")
        throw CancellationError()
    }
    return r
}

@Suite struct ReportLineParserTests {
    @Test func everyReportLineOfTheFixtureParses() throws {
        var text = 0
        var json = 0
        for line in fixtureLines {
            let isText = line.hasPrefix("REPORT ")
            let isJSON = line.hasPrefix("{") && line.contains("\"platform.report\"")
            guard isText || isJSON else { continue }
            let r = try report(line)
            #expect(!r.requestId.isEmpty)
            #expect(r.durationMs >= 0 && r.billedMs >= 0)
            if isText {
                text += 1
                #expect(r.memoryMB >= 128)
            } else {
                json += 1
            }
        }
        #expect(text == 115)  // the fixture's SOURCE.txt counts 115 REPORT and 10 platform.report lines
        #expect(json == 10)
    }

    @Test func otherPlatformLinesAreNotReports() {
        for line in fixtureLines
        where line.hasPrefix("START ") || line.hasPrefix("END ") || line.hasPrefix("INIT_START")
            || line.hasPrefix("RESTORE_") || line.contains("platform.start") || line.contains("platform.runtimeDone")
        {
            #expect(ReportLineParser.parse(line) == .other, "\(line)")
        }
    }

    @Test func tabSeparatedColdStart() throws {
        let r = try report(
            "REPORT RequestId: be5b175d-ff9d-40db-adef-77555f4b77a8\tDuration: 5.93 ms\tBilled Duration: 6 ms\tMemory Size: 128 MB\tMax Memory Used: 67 MB\tInit Duration: 145.69 ms\t"
        )
        #expect(
            r
                == Report(
                    requestId: "be5b175d-ff9d-40db-adef-77555f4b77a8", durationMs: 5.93, billedMs: 6, memoryMB: 128,
                    maxMemoryMB: 67, initMs: 145.69))
    }

    @Test func numbersEqualSwiftsOwnParsing() throws {
        for d in ["26.73", "0.62", "300099.78", "376256.59", "1.0", "0.1", "3000.00", "19350.18"] {
            let r = try report("REPORT RequestId: x\tDuration: \(d) ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\t")
            #expect(r.durationMs == Double(d)!)
        }
    }

    @Test func oldSpaceBeforeTab() throws {
        let r = try report(
            "REPORT RequestId: 69594c41-8463-4f69-b9b4-ff6c49813475\tDuration: 89.34 ms\tBilled Duration: 100 ms \tMemory Size: 128 MB\tMax Memory Used: 111 MB\t"
        )
        #expect(r.billedMs == 100 && r.memoryMB == 128 && r.maxMemoryMB == 111 && r.initMs == nil && r.status == .success)
    }

    @Test func spacesOnly() throws {
        let r = try report(
            "REPORT RequestId: 8edab1f8-7d34-4a8e-a965-15ccbbb78d4c Duration: 0.81 ms  Billed Duration: 100 ms Memory Size: 128 MB Max Memory Used: 90 MB  Init Duration: 1234 ms"
        )
        #expect(
            r
                == Report(
                    requestId: "8edab1f8-7d34-4a8e-a965-15ccbbb78d4c", durationMs: 0.81, billedMs: 100, memoryMB: 128,
                    maxMemoryMB: 90, initMs: 1234))
    }

    @Test func fieldsInAnyOrder() throws {
        // The runtime interface emulator prints Init Duration first.
        let r = try report(
            "REPORT RequestId: abc\tInit Duration: 0.48 ms\tDuration: 105.24 ms\tBilled Duration: 106 ms\tMemory Size: 3008 MB\tMax Memory Used: 3008 MB\t"
        )
        #expect(r.initMs == 0.48 && r.durationMs == 105.24 && r.billedMs == 106 && r.memoryMB == 3008 && r.maxMemoryMB == 3008)
        let shuffled = try report(
            "REPORT RequestId: abc Max Memory Used: 15 MB\tMemory Size: 128 MB\tBilled Duration: 1 ms\tDuration: 0.5 ms")
        #expect(shuffled.durationMs == 0.5 && shuffled.billedMs == 1 && shuffled.memoryMB == 128 && shuffled.maxMemoryMB == 15)
    }

    @Test func snapStartRestore() throws {
        let r = try report(
            "REPORT RequestId: 8c360c87-d4b7-4423-b5f3-af02be3c1763\tDuration: 2338.66 ms\tBilled Duration: 2521 ms\tMemory Size: 3009 MB\tMax Memory Used: 173 MB\tRestore Duration: 398.97 ms\tBilled Restore Duration: 182 ms\t"
        )
        #expect(r.restoreMs == 398.97 && r.billedRestoreMs == 182 && r.initMs == nil && r.memoryMB == 3009)
    }

    @Test func xrayPartOfTheSameEvent() throws {
        let r = try report(
            "REPORT RequestId: f08bb4c8-d6b2-4f05-ac17-af7e2ba005fb\tDuration: 619.31 ms\tBilled Duration: 700 ms\tMemory Size: 128 MB\tMax Memory Used: 118 MB\t\nXRAY TraceId: 1-5e61292c-cc1229a4dfbeae1043928548\tSegmentId: 07a85e713f6302b2\tSampled: true\t\n"
        )
        #expect(r.xrayTraceId == "1-5e61292c-cc1229a4dfbeae1043928548" && r.maxMemoryMB == 118 && r.status == .success)
        #expect(
            ReportLineParser.parse("XRAY TraceId: 1-5d83c0ad-b8eb33a0b1de97d804fac890\tSegmentId: 31255c3b19bd3637\tSampled: true")
                == .xray(traceId: "1-5d83c0ad-b8eb33a0b1de97d804fac890"))
    }

    @Test func statusTimeoutErrorAndOutOfMemory() throws {
        let timeout = try report(
            "REPORT RequestId: 1e5c8abd-3d36-461b-8c0f-a56b952715b3\tDuration: 3000.00 ms\tBilled Duration: 3068 ms\tMemory Size: 128 MB\tMax Memory Used: 35 MB\tInit Duration: 67.49 ms\tStatus: timeout"
        )
        #expect(timeout.status == .timeout && timeout.initMs == 67.49 && timeout.billedMs == 3068)
        let oom = try report(
            "REPORT RequestId: 806ab12b-e660-4a4a-8d9a-eee01e457f98\tDuration: 376256.59 ms\tBilled Duration: 376257 ms\tMemory Size: 10239 MB\tMax Memory Used: 10239 MB\tInit Duration: 551.73 ms\tStatus: error\tError Type: Runtime.OutOfMemory"
        )
        #expect(oom.status == .oom && oom.errorType == "Runtime.OutOfMemory" && oom.memoryMB == 10239)
        let error = try report(
            "REPORT RequestId: 83269395-33ee-45a8-8a99-38f67b6faf72\tDuration: 11.48 ms\tBilled Duration: 12 ms\tMemory Size: 128 MB\tMax Memory Used: 10 MB\tStatus: error\tError Type: Runtime.InvalidEntrypoint"
        )
        #expect(error.status == .error && error.errorType == "Runtime.InvalidEntrypoint")
    }

    @Test func taskTimedOutLine() {
        #expect(
            ReportLineParser.parse("2020-06-09T15:02:26.150Z 7c9567b5-107b-4a6c-8798-0157ac21db52 Task timed out after 3.00 seconds")
                == .timedOut(requestId: "7c9567b5-107b-4a6c-8798-0157ac21db52"))
    }

    @Test func prefixedByATimestampAndStream() throws {
        let r = try report(
            "2024-09-10T13:31:02.123Z 2024/09/10/[$LATEST]abc REPORT RequestId: fa60295b\tDuration: 19266.38 ms\tBilled Duration: 19267 ms\tMemory Size: 2688 MB\tMax Memory Used: 2581 MB\t"
        )
        #expect(r.requestId == "fa60295b" && r.maxMemoryMB == 2581)
    }

    @Test func jsonPlatformReport() throws {
        let cold = try report(
            #"{"time":"2022-10-21T14:05:05.766Z","type":"platform.report","record":{"requestId":"459921b5-681c-4a96-beb0-81e0aa586026","metrics":{"durationMs":2599.4,"billedDurationMs":2600,"memorySizeMB":128,"maxMemoryUsedMB":94,"initDurationMs":549.04},"tracing":{"spanId":"24cd7d670fa455f0","type":"X-Amzn-Trace-Id","value":"Root=1-6352a70e-1e2c502e358361800241fd45;Parent=35465b3a9e2f7c6a;Sampled=1"},"status":"success"}}"#
        )
        #expect(
            cold
                == Report(
                    requestId: "459921b5-681c-4a96-beb0-81e0aa586026", durationMs: 2599.4, billedMs: 2600, memoryMB: 128,
                    maxMemoryMB: 94, initMs: 549.04, xrayTraceId: "1-6352a70e-1e2c502e358361800241fd45"))
        let restore = try report(
            #"{"time":"2024-02-09T08:42:44.080Z","type":"platform.report","record":{"requestId":"d661f7cf","status":"success","metrics":{"durationMs": 147.156,"billedDurationMs": 201, "memorySizeMB": 512,"maxMemoryUsedMB": 91,"restoreDurationMs": 500.795,"billedRestoreDurationMs": 53 }}}"#
        )
        #expect(restore.restoreMs == 500.795 && restore.billedRestoreMs == 53 && restore.memoryMB == 512)
        let failed = try report(
            #"{"time":"2021-05-19T18:11:22.478Z","type":"platform.report","record":{"requestId":"13dee504","status":"error","metrics":{"durationMs":7.0,"producedBytes":53,"maxMemoryUsedMB":129,"memorySizeMB":128}}}"#
        )
        #expect(failed.status == .error && failed.billedMs == 7)
        let oom = try report(
            #"{"type":"platform.report","record":{"requestId":"r1","status":"error","errorType":"Runtime.OutOfMemory","metrics":{"durationMs":7.5,"billedDurationMs":8,"memorySizeMB":128,"maxMemoryUsedMB":128}}}"#
        )
        #expect(oom.status == .oom)
        let timeout = try report(
            #"{"type":"platform.report","record":{"requestId":"r2","status":"timeout","metrics":{"durationMs":3000,"billedDurationMs":3000,"memorySizeMB":128,"maxMemoryUsedMB":60}}}"#
        )
        #expect(timeout.status == .timeout)
        // Lambda Managed Instances state only the duration.
        let managed = try report(
            #"{"time":"2025-09-19T19:36:50.881Z","type":"platform.report","record":{"requestId":"13d1305b","status":"success","metrics":{"durationMs":1.148},"spans":[]}}"#
        )
        #expect(managed.durationMs == 1.148 && managed.billedMs == 2 && managed.memoryMB == 0 && managed.maxMemoryMB == nil)
    }

    @Test func otherJSONIsNotAReport() {
        #expect(
            ReportLineParser.parse(
                #"{"time":"2022-10-19T13:52:15.636Z","type":"platform.initStart","record":{"initializationType":"on-demand"}}"#) == .other)
        #expect(ReportLineParser.parse(#"{"level":"INFO","message":"REPORT RequestId: in my own log"}"#) == .other)
        #expect(
            ReportLineParser.parse(
                #"{"time": "2020-08-20T12:31:32.123Z","type": "platform.fault","record": "RequestId: d783b35e Process exited"}"#) == .other)
    }

    @Test func brokenLinesAreCountedNotFatal() {
        for line in [
            "REPORT RequestId: abc\tDuration: fast\tBilled Duration: 1 ms\tMemory Size: 128 MB",
            "REPORT RequestId: abc\tDuration: 1 ms\tMemory Size: 128 MB",
            "REPORT RequestId: ",
            "REPORT RequestId: abc\tDuration: 1 ms\tBilled Duration: 2 ms",
            #"{"type":"platform.report","record":{"requestId":"x","metrics":{}}}"#,
            #"{"type":"platform.report","record":{"requestId":"x","metrics":{"durationMs":"#,
        ] {
            guard case .unparseable = ReportLineParser.parse(line) else {
                Issue.record("expected unparseable: \(line) -> \(ReportLineParser.parse(line))")
                continue
            }
        }
        #expect(ReportLineParser.parse("") == .other)
        #expect(ReportLineParser.parse("START RequestId: abc Version: $LATEST") == .other)
    }

    @Test func truncatedAndCorruptedLinesNeverCrash() {
        var outcomes = [String: Int]()
        for line in fixtureLines where line.contains("REPORT") || line.contains("platform.report") {
            let bytes = Array(line.utf8)
            for cut in stride(from: 0, through: bytes.count, by: 3) {
                var truncated = Array(bytes[..<cut])
                let r1 = truncated.withUnsafeBufferPointer { ReportLineParser.parse($0) }
                if cut < bytes.count { truncated.append(0x22) }  // a stray quote where the line was cut
                let r2 = truncated.withUnsafeBufferPointer { ReportLineParser.parse($0) }
                for r in [r1, r2] {
                    switch r {
                    case .report: outcomes["report", default: 0] += 1
                    case .unparseable: outcomes["unparseable", default: 0] += 1
                    default: outcomes["other", default: 0] += 1
                    }
                }
            }
        }
        #expect(outcomes["unparseable", default: 0] > 100)
    }
}
