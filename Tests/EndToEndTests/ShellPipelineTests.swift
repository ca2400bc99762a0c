import Foundation
import RecordSchema
import TestSupport
import Testing

/// The stages compose in a plain shell pipeline, stdin to stdout, as documented:
/// `plan w.json | invoke | await-logs | fit > models.json`.
@Suite("Shell pipeline", .serialized)
struct ShellPipelineTests {
    @Test func planInvokeAwaitFitThroughPipes() throws {
        let dir = try TemporaryDirectory("e2e-shell")
        defer { dir.remove() }
        let workload = try PipelineFixture.write(into: dir, name: "e2e-shell")
        let bin = Tools.productsDirectory.path
        let script = """
            set -o pipefail
            "\(bin)/plan" "\(workload)" | "\(bin)/invoke" | "\(bin)/await-logs" \(PipelineFixture.awaitFlags) \
              | "\(bin)/fit" > "\(dir.file("models.json"))"
            """
        let result = try Tools.run(
            PackageRoot.path + "/scripts/with-target.sh",
            [
                "local", dir.file("run"), bin + "/lambda-emulator", "--log-delay-ms", "300",
                "--update-delay-ms", "200", "--", "bash", "-c", script,
            ])
        #expect(result.status == 0, "pipeline failed: \(result.stderr)")
        let models = try JSONDecoder().decode(ModelsFile.self, from: Data(contentsOf: URL(fileURLWithPath: dir.file("models.json"))))
        #expect(Set(models.functions.map(\.function)) == ["faas_measure", "faas_sleep"])
        #expect(models.functions.allSatisfy { $0.observations.count == PipelineFixture.memorySizes.count })
        #expect(PipelineFixture.processes(matching: dir.file("run")).isEmpty)
    }
}
