import AWS
import ArgumentParser
import CurlHTTP
import Foundation
import Invoking
import JSON
import RecordSchema

#if canImport(Glibc)
import Glibc
#endif

/// Send precision of invoke's open-loop executor against a local no-op endpoint (nginx
/// answering 204, started here), plus the same endpoint under `hey` and `wrk` for comparison.
struct InvokeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Measure invoke's send lag, achieved rate and CPU per 1,000 requests on a local no-op endpoint.",
        discussion: """
            Targets (issue 4): at 1,000 req/s for 10 s p99 lag <= 1 ms, max <= 10 ms, rate within 0.5%; the highest \
            rate with p99 lag <= 5 ms (aim >= 5,000/s). Needs nginx (apt-get install -y nginx-light) unless --url is given; \
            hey and wrk (apt-get install -y hey wrk) for the comparison.
            """
    )

    @Option(help: "Constant rate of the main run, requests per second.")
    var rate: Double = 1000

    @Option(help: "Length of the main run, seconds.")
    var duration: Double = 10

    @Option(help: "No-op endpoint to use instead of starting nginx.")
    var url: String?

    @Option(help: "Port for the nginx started by the benchmark.")
    var port: Int = 18089

    @Option(help: "Seconds per step when searching the highest sustainable rate (0 skips the search).")
    var stepDuration: Double = 5

    @Option(help: "p99 send-lag bound for the sustainable-rate search, ms.")
    var lagBound: Double = 5

    @Flag(help: "After the search, run at 1x, 1.2x and 2x the highest sustained rate (issue 15's overload figures).")
    var overload = false

    @Option(help: "Skip the search: run at 1x, 1.2x and 2x this rate (a sustainable rate found earlier).")
    var overloadBase: Double?

    @Option(name: .customLong("max-in-flight"), help: "Calls in flight at most, as invoke --max-in-flight.")
    var maxInFlight = InvokeOptions().maxInFlight

    @Flag(help: "Skip the hey/wrk comparison.")
    var noCompare = false

    @Flag(help: "Run the HTTP loop thread with real-time priority (as invoke --realtime).")
    var realtime = false

    func run() throws {
        var nginx: NginxServer?
        let endpoint: String
        if let url {
            endpoint = url
        } else {
            nginx = try NginxServer(port: port)
            endpoint = "http://127.0.0.1:\(port)/noop"
        }
        defer { nginx?.stop() }
        print("endpoint: \(endpoint)")

        let main = try Self.measure(url: endpoint, rate: rate, duration: duration, realtime: realtime, maxInFlight: maxInFlight)
        print(main.line(label: "constant \(Int(rate))/s for \(duration) s"))
        print(
            "  target: p99 <= 1 ms \(main.stats.lagP99Ms <= 1 ? "met" : "MISSED"), max <= 10 ms "
                + "\(main.stats.lagMaxMs <= 10 ? "met" : "MISSED"), rate within 0.5% "
                + "\(abs(main.stats.achievedRate / rate - 1) <= 0.005 ? "met" : "MISSED")")

        if let base = overloadBase {
            try runOverload(base: base, url: endpoint)
        } else if stepDuration > 0 {
            var best: Measurement?
            var step = 2000.0
            while step <= 40000 {
                let m = try Self.measure(
                    url: endpoint, rate: step, duration: stepDuration, realtime: realtime, maxInFlight: maxInFlight)
                print(m.line(label: "search \(Int(step))/s"))
                let ok =
                    m.stats.lagP99Ms <= lagBound && abs(m.stats.achievedRate / step - 1) <= 0.01
                    && m.errors == 0
                guard ok else { break }
                best = m
                step += step < 8000 ? 1000 : 2000
            }
            if let best {
                print(
                    "highest sustained rate with p99 lag <= \(lagBound) ms: \(Int(best.rate))/s "
                        + "(cpu \(Self.f(best.cpuMsPer1000)) ms per 1,000 requests)")
                if overload { try runOverload(base: best.rate, url: endpoint) }
            } else {
                print("no searched rate met p99 lag <= \(lagBound) ms")
            }
        }
        if !noCompare { Self.compare(url: endpoint) }
    }

    /// 1x, 1.2x and 2x a sustainable rate: the achieved rate, lag and errors past saturation,
    /// and the line invoke prints when the schedule was not kept.
    func runOverload(base: Double, url: String) throws {
        for factor in [1.0, 1.2, 2.0] {
            let m = try Self.measure(
                url: url, rate: base * factor, duration: stepDuration, realtime: realtime, maxInFlight: maxInFlight)
            print(m.line(label: "overload \(factor)x (\(Int(base * factor))/s)"))
            if let shortfall = m.stats.shortfall(heldForSlot: m.heldForSlot, maxInFlight: maxInFlight) {
                print("  invoke would say: \(shortfall)")
            }
        }
    }

    struct Measurement {
        var rate: Double
        var stats: RunStatistics
        var errors: Int
        var cpuMsPer1000: Double
        var heldForSlot = 0

        func line(label: String) -> String {
            "\(label): \(stats.sent) sent, \(errors) errors, achieved \(InvokeBench.f(stats.achievedRate, 1))/s, "
                + "lag p50 \(InvokeBench.f(stats.lagP50Ms, 3)) ms p99 \(InvokeBench.f(stats.lagP99Ms, 3)) ms "
                + "max \(InvokeBench.f(stats.lagMaxMs, 3)) ms, cpu \(InvokeBench.f(cpuMsPer1000)) ms per 1,000 requests"
                + (heldForSlot > 0 ? ", \(heldForSlot) waited for a slot" : "")
        }
    }

    /// Plans a constant-rate schedule (k / rate, k = 1...) and runs it with the invoke library.
    static func measure(url: String, rate: Double, duration: Double, realtime: Bool, maxInFlight: Int) throws -> Measurement {
        let count = Int(rate * duration)
        let payload = try RawJSON(parsing: #"{"cmds":{"sleep":0}}"#)
        let calls = (0..<count).map { k in
            ScheduledCall(
                run: "bench", seq: k, phase: 0, memoryMB: 128, instance: "noop", application: "noop",
                atS: Double(k + 1) / rate, target: .http(url: url, method: "POST", signed: false),
                payload: payload, payloadIndex: 0, seed: 1)
        }
        let header = RunHeader(
            run: "bench", seed: 1, seedGenerated: false, workloadSHA256: "", workload: .emptyObject,
            memorySizes: [128], scheduled: count, generator: "rightsize", tools: [])
        var options = InvokeOptions()
        options.setMemory = false
        options.requestTimeout = 10
        let http = HTTPClient(maxInFlight: maxInFlight, realtime: realtime)
        defer { http.shutdown() }
        let invoker = try ScheduleInvoker(
            schedule: LoadedSchedule(header: header, calls: calls), options: options,
            configuration: AWSConfiguration(credentials: nil, region: nil), http: http)
        let before = cpuSeconds()
        let result = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            result.set((try? await invoker.run()) ?? [])
            done.signal()
        }
        done.wait()
        let cpu = cpuSeconds() - before
        let invocations = result.get()
        let stats = RunStatistics(invocations)
        let errors = invocations.filter { $0.error != nil }.count
        return Measurement(
            rate: rate, stats: stats, errors: errors, cpuMsPer1000: cpu * 1000 / Double(max(count, 1)) * 1000,
            heldForSlot: http.requestsHeldForSlot)
    }

    final class ResultBox: @unchecked Sendable {
        // @unchecked: written once by the task before the semaphore is signalled, read after.
        private var value: [Invocation] = []
        private let lock = NSLock()
        func set(_ v: [Invocation]) {
            lock.lock()
            value = v
            lock.unlock()
        }
        func get() -> [Invocation] {
            lock.lock()
            defer { lock.unlock() }
            return value
        }
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    static func childCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_CHILDREN.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    static func f(_ v: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }

    /// hey and wrk are closed-loop load generators: they report throughput and latency, not send lag.
    static func compare(url: String) {
        for (tool, args) in [
            ("hey", ["-z", "10s", "-c", "50", "-m", "POST", "-d", #"{"cmds":{"sleep":0}}"#, url]),
            ("wrk", ["-t", "2", "-c", "50", "-d", "10s", "--latency", url]),
        ] {
            guard let path = which(tool) else {
                print("\(tool): not installed (apt-get install -y \(tool))")
                continue
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = args
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            let before = childCPUSeconds()
            do { try process.run() } catch {
                print("\(tool): \(error)")
                continue
            }
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            while process.isRunning { usleep(10_000) }
            var status: Int32 = 0
            _ = waitpid(process.processIdentifier, &status, WNOHANG)
            let cpu = childCPUSeconds() - before
            let text = String(decoding: data, as: UTF8.self)
            let keep = text.split(separator: "\n").filter {
                $0.contains("Requests/sec") || $0.contains("99%") || $0.contains("Average") || $0.contains("Latency")
                    || $0.contains("requests in")
            }
            print("\(tool) \(args.joined(separator: " ")):")
            for line in keep.prefix(8) { print("  " + line.trimmingCharacters(in: .whitespaces)) }
            if let rateLine = text.split(separator: "\n").first(where: { $0.contains("Requests/sec") }),
                let rate = Double(rateLine.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }).last ?? ""), rate > 0, cpu > 0
            {
                print("  cpu \(f(cpu * 1000 / (rate * 10) * 1000)) ms per 1,000 requests")
            }
        }
    }

    static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}

/// nginx answering 204 on one port, one worker, keep-alive without limits.
struct NginxServer {
    let process: Process
    let directory: String

    init(port: Int) throws {
        guard
            let nginx = InvokeBench.which("nginx")
                ?? (FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") ? "/usr/sbin/nginx" : nil)
        else {
            throw ValidationError("nginx not found: apt-get install -y nginx-light, or pass --url")
        }
        directory = NSTemporaryDirectory() + "rightsize-bench-nginx-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let config = """
            worker_processes 1;
            daemon off;
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log;
            events { worker_connections 8192; }
            http {
                access_log off;
                client_body_temp_path \(directory);
                keepalive_requests 10000000;
                keepalive_timeout 300s;
                server { listen 127.0.0.1:\(port); location / { return 204; } }
            }
            """
        try config.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = ["-c", directory + "/nginx.conf", "-p", directory, "-e", directory + "/error.log"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until it accepts connections.
        for _ in 0..<100 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let ok =
                withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                } == 0
            close(fd)
            if ok { return }
            usleep(50_000)
        }
        process.terminate()
        throw ValidationError("nginx did not start on port \(port) (see \(directory)/error.log)")
    }

    func stop() {
        kill(process.processIdentifier, SIGQUIT)
        while process.isRunning { usleep(10_000) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
