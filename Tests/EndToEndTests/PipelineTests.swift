import Foundation
import Testing
import Records
import TestSupport

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
        #expect(scheduled == 2 * 12 * PipelineFixture.memorySizes.count)
        #expect(invoked.count == scheduled)
        #expect(invoked.allSatisfy { $0.error == nil && $0.httpStatus == 200 })
        #expect(joined.count == scheduled)
        #expect(joined.allSatisfy { $0.joinedBy == .requestId && $0.report.memoryMB == $0.invocation.call.memoryMB })
        let waits = logs.compactMap { if case .logWait(let w) = $0 { w } else { nil } }
        #expect(waits.count == 2 && waits.allSatisfy { !$0.timedOut && $0.found == $0.expected })

        // Models: the CPU-bound function wants more memory than the sleep-bound one, and the
        // chosen runtime forms predict left-out sizes within the fit issue's 10% bound.
        let models = try JSONDecoder().decode(ModelsFile.self, from: Data(contentsOf: URL(fileURLWithPath: run + "/models.json")))
        let cpu = try #require(models.functions.first { $0.function == "faas_measure" })
        let sleep = try #require(models.functions.first { $0.function == "faas_sleep" })
        let cpuCheapest = try #require(cpu.recommendations?.cheapest?.memoryMB)
        let sleepCheapest = try #require(sleep.recommendations?.cheapest?.memoryMB)
        #expect(cpuCheapest != sleepCheapest)
        #expect(sleepCheapest == 128)
        for function in [cpu, sleep] {
            let loo = try #require(function.runtime?.looMape, "\(function.function) has no cross-validated error")
            #expect(loo <= 10, "\(function.function): leave-one-size-out MAPE \(loo)%")
        }
        let cpuFastest = try #require(cpu.recommendations?.fastest?.memoryMB)
        #expect(cpuFastest >= 1024)

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
        let refit = try PipelineFixture.make(["stages"], runDirectory: run, workload: workload,
                                             extra: ["FIT_FLAGS": "--max-duration-ms 400"])
        #expect(refit.status == 0, "\(refit.stderr)")
        #expect(refit.stdout.contains("/fit ") && refit.stdout.contains("/report "))
        #expect(!refit.stdout.contains("/plan ") && !refit.stdout.contains("/invoke ") && !refit.stdout.contains("/await-logs "))
        let refitted = try JSONDecoder().decode(ModelsFile.self, from: Data(contentsOf: URL(fileURLWithPath: run + "/models.json")))
        #expect(refitted.options.maxDurationMs == 400)

        // `make report` re-renders only the report.
        let rerender = try PipelineFixture.make(["report"], runDirectory: run, workload: workload,
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

        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/make")
        make.arguments = ["-f", PackageRoot.path + "/pipeline.mk", "--no-print-directory", "BIN=\(Tools.productsDirectory.path)",
                          "WORKLOAD=\(workload)", "RUN_DIR=\(run)", "EMULATOR_FLAGS=\(PipelineFixture.emulatorFlags)", "stages"]
        make.currentDirectoryURL = URL(fileURLWithPath: PackageRoot.path)
        make.standardOutput = FileHandle.nullDevice
        make.standardError = FileHandle.nullDevice
        try make.run()
        // Wait until invoke is running, then interrupt the whole job as Ctrl-C would.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, PipelineFixture.processes(matching: "/invoke ").filter({ $0.contains(run) }).isEmpty {
            usleep(50_000)
        }
        usleep(1_500_000)
        killProcessTree(of: make.processIdentifier, signal: SIGINT)
        make.waitUntilExit()
        #expect(make.terminationStatus != 0)
        usleep(500_000)

        #expect(!FileManager.default.fileExists(atPath: run + "/invocations.ndjson"))
        #expect(PipelineFixture.processes(matching: run).isEmpty, "left behind: \(PipelineFixture.processes(matching: run))")
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: run)) ?? []
        #expect(!leftovers.contains { $0.contains(".tmp") }, "temporary files left: \(leftovers)")
    }

    func modificationDate(_ path: String) throws -> Date {
        try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
    }

    /// Sends `signal` to a process and all its descendants (what a terminal's Ctrl-C reaches).
    func killProcessTree(of pid: Int32, signal: Int32) {
        var children: [Int32: [Int32]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let p = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { children[parent, default: []].append(p) }
        }
        var queue = [pid]
        while let p = queue.popLast() {
            kill(p, signal)
            queue += children[p] ?? []
        }
    }
}
