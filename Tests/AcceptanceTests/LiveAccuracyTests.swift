import Foundation
import RecordSchema
import TestSupport
import Testing

// AcceptanceTests: what rightsize measures and concludes on the live emulator, which depends
// on this machine's speed and load, so it is not part of the CI suite (`make -f pipeline.mk
// test`, which checks structure only). Run it on a quiet machine with
//
//     make -f pipeline.mk acceptance
//
// (RIGHTSIZE_ACCEPTANCE=1; without it every test here is skipped.)

/// The whole pipeline through pipeline.mk on the emulator, as EndToEndTests runs it: the fitted
/// models are accurate and the recommendations follow the physics of the two functions.
@Suite("Accuracy of the fitted models on the live emulator", .serialized)
struct LiveAccuracyTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["RIGHTSIZE_ACCEPTANCE"] == "1", "set RIGHTSIZE_ACCEPTANCE=1"))
    func cpuBoundWantsMoreMemorySleepBoundTheLeastAndModelsPredictLeftOutSizes() throws {
        let dir = try TemporaryDirectory("acceptance-make")
        defer { dir.remove() }
        let workload = try PipelineFixture.write(into: dir, name: "acceptance")
        let run = dir.file("run")

        let result = try PipelineFixture.make(["stages"], runDirectory: run, workload: workload)
        try #require(result.status == 0, "make failed:\n\(result.stdout)\n\(result.stderr)")

        let models = try JSONDecoder().decode(ModelsFile.self, from: Data(contentsOf: URL(fileURLWithPath: run + "/models.json")))
        let cpu = try #require(models.functions.first { $0.function == "faas_measure" })
        let sleep = try #require(models.functions.first { $0.function == "faas_sleep" })
        // CPU-bound cost is nearly flat up to one vCPU (m x 1/m), so the cheapest size can be
        // small for both; the balanced choice is where they must differ.
        let cpuBalanced = try #require(cpu.recommendations?.balanced?.memoryMB)
        let sleepBalanced = try #require(sleep.recommendations?.balanced?.memoryMB)
        #expect(cpuBalanced >= 1024)
        #expect(sleepBalanced == 128)
        #expect(sleep.recommendations?.cheapest?.memoryMB == 128)
        let cpuFastest = try #require(cpu.recommendations?.fastest?.memoryMB)
        #expect(cpuFastest >= 1024)
        // The chosen runtime forms predict left-out sizes within the fit issue's 10% bound.
        for function in [cpu, sleep] {
            let loo = try #require(function.runtime?.looMape, "\(function.function) has no cross-validated error")
            #expect(loo <= 10, "\(function.function): leave-one-size-out MAPE \(loo)%")
        }
        #expect(PipelineFixture.processes(matching: run + "/emulator").isEmpty)
    }
}
