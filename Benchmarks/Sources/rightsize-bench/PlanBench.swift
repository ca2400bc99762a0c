import ArgumentParser
import Foundation
import NDJSONIO
import Planning

/// Plans a large workload and reports events/s and peak memory against the issue's targets
/// (>= 2,000,000 events/s written to a file, peak memory <= 64 MB, in release).
struct PlanBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan a ~1,000,000-call workload; print events/s and peak memory.",
        discussion: "Build in release first: swift build -c release --product plan --product rightsize-bench"
    )

    @Option(help: "Calls to schedule (approximately; Poisson counts vary).")
    var events = 1_000_000

    @Option(help: "Instances sharing the calls (half Poisson, half Uniform).")
    var instances = 8

    @Option(help: "Memory phases the calls are spread over.")
    var phases = 1

    @Option(help: "Repetitions; the best is reported.")
    var repeats = 3

    @Option(help: "Directory for the workload and schedule files (default: a new temporary directory).")
    var directory: String?

    func run() throws {
        let dir = directory ?? NSTemporaryDirectory() + "rightsize-plan-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let workloadPath = dir + "/bench.json"
        let schedulePath = dir + "/schedule.ndjson"
        let duration = 100.0
        let rate = Double(events) / Double(phases) / duration / Double(instances)
        let sizes = (0..<phases).map { 128 + 64 * $0 }
        let members = (0..<instances).map { i in
            "\"instance\(i)\": {\"application\": \"fn\(i % 3)\", \"distribution\": \"\(i % 2 == 0 ? "Poisson" : "Uniform")\", \"rate\": \(rate)}"
        }
        let workload = """
            {"test_name": "bench", "test_duration_in_seconds": \(duration), "random_seed": 1,
             "memory_sizes": \(sizes), "instances": {\(members.joined(separator: ", "))}}
            """
        try workload.write(toFile: workloadPath, atomically: true, encoding: .utf8)
        print("plan benchmark: \(instances) instances x \(String(format: "%.1f", rate)) calls/s x \(Int(duration)) s x \(phases) phase(s)")

        // 1. In process: where the time goes.
        let schedule = try Schedule.load(path: workloadPath, generator: .rightsize)
        var best = (count: Double.infinity, encode: Double.infinity, total: Double.infinity)
        var calls = 0
        var bytes = 0
        for _ in 0..<repeats {
            var t0 = Self.now()
            calls = schedule.callsPerPhase() * phases
            let countTime = Self.now() - t0

            t0 = Self.now()
            let encoder = ScheduleLineEncoder(schedule: schedule)
            var batch = LineBatch(lineCapacity: encoder.maximumLineLength)
            var cursor = schedule.makeCursor()
            bytes = 0
            while true {
                let lines = batch.fill { sink in
                    var n = 0
                    while sink.hasRoom, let c = cursor.next() {
                        encoder.append(c, to: &sink)
                        n += 1
                    }
                    return n
                }
                if lines == 0 { break }
                bytes += batch.bytes.count
            }
            let encodeTime = Self.now() - t0

            t0 = Self.now()
            var file = try OutputFile(path: schedulePath)
            try ScheduleWriter.write(schedule, to: &file)
            try file.commit()
            let totalTime = Self.now() - t0
            best = (min(best.count, countTime), min(best.encode, encodeTime), min(best.total, totalTime))
        }
        print("  calls: \(calls), schedule file: \(String(format: "%.1f", Double(bytes) / 1e6)) MB (\(bytes / max(calls, 1)) bytes/line)")
        print(String(format: "  counting pass (generate + count):  %6.3f s  %10.0f events/s", best.count, Double(calls) / best.count))
        print(String(format: "  merge + encode to memory:          %6.3f s  %10.0f events/s", best.encode, Double(calls) / best.encode))
        print(String(format: "  in process, to a file (with fsync): %6.3f s  %10.0f events/s", best.total, Double(calls) / best.total))

        // 2. The real tool as a child process: wall time and its own peak memory.
        let planBinary = ToolBinaries.path("plan")
        guard FileManager.default.isExecutableFile(atPath: planBinary) else {
            print("  (build the plan product to measure the tool itself: \(planBinary) is missing)")
            return
        }
        var bestWall = Double.infinity
        var bestCPU = Double.infinity
        var peakKB = 0
        let timeFile = dir + "/time.txt"
        let haveTime = FileManager.default.isExecutableFile(atPath: "/usr/bin/time")
        for _ in 0..<repeats {
            unlink(schedulePath)  // a fresh file each time, as in a real run (not a rename over 277 MB)
            let t0 = Self.now()
            let (status, usage) =
                haveTime
                ? try Self.spawnAndWait("/usr/bin/time", ["-f", "%M", "-o", timeFile, planBinary, workloadPath, "-o", schedulePath])
                : try Self.spawnAndWait(planBinary, [workloadPath, "-o", schedulePath])
            bestWall = min(bestWall, Self.now() - t0)
            guard status == 0 else { throw ExitCode(1) }
            let cpu =
                Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6
                + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
            bestCPU = min(bestCPU, cpu)
            // GNU time forks plan from its own small image, so its %M is plan's own peak.
            // Without it, wait4's ru_maxrss also counts this benchmark's image (spawned with CLONE_VM).
            let measured =
                haveTime
                ? Int((try? String(contentsOfFile: timeFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
                    ?? usage.ru_maxrss
                : usage.ru_maxrss
            peakKB = max(peakKB, measured)  // kilobytes on Linux
        }
        // The same, to standard output redirected to a file: no fsync, so the disk's speed drops out.
        var bestStdout = Double.infinity
        for _ in 0..<repeats {
            unlink(schedulePath)
            let t0 = Self.now()
            let (status, _) = try Self.spawnAndWait(planBinary, [workloadPath], stdoutPath: schedulePath)
            bestStdout = min(bestStdout, Self.now() - t0)
            guard status == 0 else { throw ExitCode(1) }
        }
        let rate2 = Double(calls) / bestWall
        let peakMB = Double(peakKB) / 1024
        print(
            String(
                format: "  plan tool, to a file (wall):       %6.3f s  %10.0f events/s  (target >= 2,000,000: %@)",
                bestWall, rate2, rate2 >= 2_000_000 ? "met" : "NOT met"))
        print(String(format: "  plan tool, stdout > file (no fsync): %4.3f s  %10.0f events/s", bestStdout, Double(calls) / bestStdout))
        print(String(format: "  plan tool CPU time (user + sys):   %6.3f s  %10.0f events/s", bestCPU, Double(calls) / bestCPU))
        print(
            String(format: "  plan tool peak memory (max RSS):   %6.1f MB  (target <= 64 MB: %@)", peakMB, peakMB <= 64 ? "met" : "NOT met")
        )
        var load = [Double](repeating: 0, count: 3)
        if getloadavg(&load, 3) == 3 {
            print(
                String(
                    format: "  (machine load average %.2f on %d cores: figures drop when others are busy)", load[0],
                    sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        }
    }

    /// Runs a child and reaps it with wait4, for its rusage (CPU time and max RSS, which
    /// includes its children's).
    static func spawnAndWait(_ path: String, _ arguments: [String], stdoutPath: String? = nil) throws -> (Int32, rusage) {
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdoutPath { posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard rc == 0 else { throw ExitCode(1) }
        var status: Int32 = 0
        var usage = rusage()
        _ = wait4(pid, &status, 0, &usage)
        let exited = (status & 0x7F) == 0
        return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), usage)
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
