import Foundation
import RecordSchema
import TestSupport
import Testing

/// The whole pipeline through pipeline.mk on the real emulator: records, models, report,
/// caching, and the emulator's lifecycle. Serialized: each test runs real functions.
@Suite("pipeline.mk end to end", .serialized)
struct PipelineTests {
    @Test func fullRunThenCachedStages() throws {
        let dir = try TemporaryDirectory("e2e-make")
        defer { dir.remove() }
        let workload = try PipelineFixture.write(into: dir, name: "e2e")
        let run = dir.file("run")

        let first = try PipelineFixture.make(["stages"], runDirectory: run, workload: workload)
        #expect(first.status == 0, "make failed:\n\(first.stdout)\n\(first.stderr)")
        #expect(first.stdout.contains("report at \(run)/report.html"))

        // Records: one invocation per scheduled call; every call that reached a function has its REPORT.
        let schedule = try PipelineFixture.records(run + "/schedule.ndjson")
        let invocations = try PipelineFixture.records(run + "/invocations.ndjson")
        let logs = try PipelineFixture.records(run + "/logs.ndjson")
        let scheduled = schedule.filter { if case .schedule = $0 { true } else { false } }.count
        let invoked = invocations.compactMap { if case .invocation(let i) = $0 { i } else { nil } }
        let joined = logs.compactMap { if case .log(let l) = $0 { l } else { nil } }
        // Uniform at 3/s for 4 s: times k/3 + shift for k = 1...12, and the strict window (0, 4) drops k = 12.
        #expect(scheduled == 2 * 11 * PipelineFixture.memorySizes.count)
        #expect(invoked.count == scheduled)
        #expect(invoked.allSatisfy { $0.error == nil && $0.httpStatus == 200 })
        #expect(joined.count == scheduled)
        #expect(joined.allSatisfy { $0.joinedBy == .requestId && $0.report.memoryMB == $0.invocation.call.memoryMB })
        let waits = logs.compactMap { if case .logWait(let w) = $0 { w } else { nil } }
        #expect(waits.count == 2 && waits.allSatisfy { !$0.timedOut && $0.found == $0.expected })

        // Models: structure only. What the fitted models say (their accuracy, the memory sizes
        // recommended) depends on the live timings, so it is checked by AcceptanceTests.
        let models = try JSONDecoder().decode(ModelsFile.self, from: Data(contentsOf: URL(fileURLWithPath: run + "/models.json")))
        #expect(models.functions.count == 2)
        for name in ["faas_measure", "faas_sleep"] {
            let function = try #require(models.functions.first { $0.function == name }, "models.json has no \(name)")
            #expect(function.observations.count == PipelineFixture.memorySizes.count, "\(name): one observation per memory size")
            #expect(function.runtime != nil, "\(name) has no runtime model")
            #expect(function.recommendations != nil, "\(name) has no recommendations")
        }

        // Report: exists, names both functions.
        let report = try dir.read("run/report.html")
        #expect(report.contains("faas_measure") && report.contains("faas_sleep"))

        // Nothing changed: make runs no stage.
        let again = try PipelineFixture.make(["stages"], runDirectory: run, workload: workload)
        #expect(again.status == 0)
        for tool in ["/plan ", "/invoke ", "/await-logs ", "/fit ", "/report "] {
            #expect(!again.stdout.contains(tool), "re-ran \(tool) with nothing changed:\n\(again.stdout)")
        }

        // `make -n` shows the commands without running them.
        let modelsDate = try modificationDate(run + "/models.json")
        let dry = try PipelineFixture.make(["-n", "fit"], runDirectory: run, workload: workload)
        #expect(dry.stdout.contains("/fit ") && dry.stdout.contains("/report "))
        #expect(!dry.stdout.contains("/invoke ") && !dry.stdout.contains("/await-logs "))
        #expect(try modificationDate(run + "/models.json") == modelsDate)

        // New fit options: only fit and report run.
        let refit = try PipelineFixture.make(
            ["stages"], runDirectory: run, workload: workload,
            extra: ["FIT_FLAGS": "--max-duration-ms 400"])
        #expect(refit.status == 0, "\(refit.stderr)")
        #expect(refit.stdout.contains("/fit ") && refit.stdout.contains("/report "))
        #expect(!refit.stdout.contains("/plan ") && !refit.stdout.contains("/invoke ") && !refit.stdout.contains("/await-logs "))
        let refitted = try JSONDecoder().decode(ModelsFile.self, from: Data(contentsOf: URL(fileURLWithPath: run + "/models.json")))
        #expect(refitted.options.maxDurationMs == 400)

        // `make report` re-renders only the report.
        let rerender = try PipelineFixture.make(
            ["report"], runDirectory: run, workload: workload,
            extra: ["FIT_FLAGS": "--max-duration-ms 400"])
        #expect(rerender.status == 0)
        #expect(rerender.stdout.contains("/report ") && !rerender.stdout.contains("/fit "))

        // No emulator is left running.
        #expect(PipelineFixture.processes(matching: run + "/emulator").isEmpty)
    }

    @Test func interruptedInvokeLeavesNoOutputAndNoProcess() throws {
        let dir = try TemporaryDirectory("e2e-interrupt")
        defer { dir.remove() }
        let workload = try PipelineFixture.write(into: dir, name: "e2e-interrupt")
        let run = dir.file("run")

        // make in a session of its own, so a Ctrl-C can reach its whole process group as a terminal's does.
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        make.arguments = [
            "--wait", "/usr/bin/make", "-f", PackageRoot.path + "/pipeline.mk", "--no-print-directory",
            "BIN=\(Tools.productsDirectory.path)", "WORKLOAD=\(workload)", "RUN_DIR=\(run)",
            "EMULATOR_FLAGS=\(PipelineFixture.emulatorFlags)", "stages",
        ]
        make.currentDirectoryURL = URL(fileURLWithPath: PackageRoot.path)
        FileManager.default.createFile(atPath: dir.file("make.log"), contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.file("make.log")))
        make.standardOutput = log
        make.standardError = log
        try make.run()
        // Wait until invoke has really sent calls: the emulator of its stage has started a worker
        // process (a child of the emulator), which it does for the first invocation. Then press Ctrl-C.
        var workers: [Int32] = []
        let sending = Wait.until(timeout: 120) {
            let emulators = PipelineFixture.processes(matching: "--state-dir \(run)/emulator").compactMap(Processes.pid(of:))
            workers = emulators.flatMap { Processes.children(of: $0) }
            return !workers.isEmpty
        }
        try #require(sending, "no invocation reached the emulator; make said:\n\((try? dir.read("make.log")) ?? "")")
        let invoke = Tools.productsDirectory.path + "/invoke "
        #expect(PipelineFixture.processes(matching: run).contains { $0.contains(": " + invoke) }, "invoke is running")
        let makeProcess = try #require(PipelineFixture.processes(matching: run).first { $0.contains(": /usr/bin/make ") })
        let makePid = try #require(Processes.pid(of: makeProcess))
        kill(-getpgid(makePid), SIGINT)
        make.waitUntilExit()
        #expect(make.terminationStatus != 0)
        // No process of the run is left: none whose command line names the run, and none of the
        // emulator's workers (whose command lines do not).
        let leftBehind = {
            PipelineFixture.processes(matching: run) + workers.filter(Processes.isAlive).map { "worker \($0)" }
        }
        #expect(Wait.until(timeout: 10) { leftBehind().isEmpty }, "left behind: \(leftBehind())")

        let makeLog = (try? dir.read("make.log")) ?? ""
        #expect(!FileManager.default.fileExists(atPath: run + "/invocations.ndjson"), "make said:\n\(makeLog)")
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: run)) ?? []
        #expect(!leftovers.contains { $0.contains(".tmp") }, "temporary files left: \(leftovers)")

        // Running make again redoes the interrupted stage and finishes the pipeline.
        let resumed = try PipelineFixture.make(["stages"], runDirectory: run, workload: workload)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(!resumed.stdout.contains("/plan "), "the finished plan stage was redone")
        #expect(resumed.stdout.contains("/invoke "))
        #expect(FileManager.default.fileExists(atPath: run + "/report.html"))
    }

    func modificationDate(_ path: String) throws -> Date {
        try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
    }
}
