import Foundation
import JSON
import RecordSchema
import TestSupport
import Testing

/// A local workload's own function (top-level "functions"): make deploys its code folder to
/// the emulator before invoke, with the AWS CLI, and again only when a file in it changes.
@Suite("pipeline.mk deploys a workload's Python function", .serialized)
struct UserFunctionTests {
    @Test(.enabled(if: AWSCLIPath.present, "the aws CLI is not installed"))
    func deployedBeforeInvokeAndAgainWhenItsCodeChanges() throws {
        let dir = try TemporaryDirectory("e2e-user-function")
        defer { dir.remove() }
        // A copy of the real faas_measure, so that changing it leaves the repository alone.
        try FileManager.default.copyItem(atPath: PackageRoot.path + "/data/functions/faas_measure", toPath: dir.file("code"))
        try dir.write("cpu.json", #"{"cmds": {"cpu": {"n": 3000}, "stat": {}}}"#)
        try dir.write(
            "w.json",
            """
            {
              "test_name": "user-function", "test_duration_in_seconds": 3, "random_seed": 5, "target": "local",
              "memory_sizes": [128, 1024],
              "functions": {"fm_py": {"code": "code", "runtime": "python3.12", "handler": "handler.handler", "timeout_s": 30}},
              "instances": {
                "cpu": {"application": "fm_py", "distribution": "Uniform", "rate": 2, "payload": "cpu.json",
                        "response_fields": ["/stat/inst_id"]}
              }
            }
            """)
        let run = dir.file("run")
        let first = try PipelineFixture.make(["stages"], runDirectory: run, workload: dir.file("w.json"))
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(first.stderr.contains("deploy: fm_py created from \(dir.file("code"))"), "\(first.stderr)")
        let invocations = try PipelineFixture.records(run + "/invocations.ndjson").compactMap {
            if case .invocation(let i) = $0 { i } else { nil }
        }
        #expect(invocations.count == 10 && invocations.allSatisfy { $0.error == nil && $0.functionError == nil })
        #expect(invocations.allSatisfy { $0.responseValues.first.map { $0.value != .null } == true })
        #expect(try dir.read("run/report.html").contains("fm_py"))

        // Nothing changed: nothing is deployed or invoked again.
        let invoked = try FileManager.default.attributesOfItem(atPath: run + "/invocations.ndjson")[.modificationDate] as? Date
        let again = try PipelineFixture.make(["stages"], runDirectory: run, workload: dir.file("w.json"))
        #expect(again.status == 0 && !again.stderr.contains("deploy:"), "\(again.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: run + "/invocations.ndjson")[.modificationDate] as? Date == invoked)

        // A changed file: deployed again (update-function-code), then invoked again.
        let handler = dir.file("code/handler.py")
        try (try String(contentsOfFile: handler, encoding: .utf8) + "\n# changed\n").write(
            toFile: handler, atomically: false, encoding: .utf8)
        let changed = try PipelineFixture.make(["stages"], runDirectory: run, workload: dir.file("w.json"))
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stderr.contains("deploy: fm_py updated"), "\(changed.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: run + "/invocations.ndjson")[.modificationDate] as? Date != invoked)
    }
}

enum AWSCLIPath {
    static let present =
        ["/usr/local/bin/aws", "/usr/bin/aws"].contains { FileManager.default.isExecutableFile(atPath: $0) }
        || (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: $0 + "/aws")
        }
}
