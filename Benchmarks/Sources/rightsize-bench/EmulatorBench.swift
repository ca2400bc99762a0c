import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// lambda-emulator: Invoke round trip of an empty warm function on loopback (p50/p99)
/// and the highest warm invocation rate it sustains. Starts the built `lambda-emulator`
/// found in the main package's release build (ToolBinaries).
struct EmulatorBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Invoke round trip (p50/p99) and highest sustained warm invocation rate of lambda-emulator.")

    @Option(help: "Sequential invocations for the round-trip figures.")
    var requests = 2000

    @Option(help: "Seconds per concurrency level in the rate test.")
    var seconds = 3.0

    @Option(help: "Concurrent keep-alive connections to try in the rate test (comma-separated).")
    var concurrency = "1,2,4,8,16"

    @Option(help: "Memory size (MB) of the benchmarked function; at 128 MB its CPU quota throttles the worker itself.")
    var memory = 1769

    @Option(help: "The emulator's --log-delay-ms (logs are stored after the answer when >= 50).")
    var logDelayMs = 2000

    @Option(help: "Path of lambda-emulator (default: the main package's release build, or $RIGHTSIZE_BIN).")
    var emulator: String?

    func run() throws {
        let binary = emulator ?? ToolBinaries.path("lambda-emulator")
        let state = NSTemporaryDirectory() + "emulator-bench-\(getpid())"
        let portFile = state + "/port"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: state) }
        let config = state + "/functions.json"
        try #"{"functions":[{"name":"faas_measure","handler":"faas_measure","memory_mb":\#(memory),"timeout_s":30}]}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--port", "0", "--port-file", portFile, "--state-dir", state, "--no-auth",
            "--concurrency-limit", "256", "--log-delay-ms", "\(logDelayMs)", "--config", config,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        var port = 0
        for _ in 0..<3000 where port == 0 {
            port =
                (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
                ?? 0
            if port == 0 { usleep(10_000) }
        }
        guard port > 0 else { throw ValidationError("lambda-emulator did not start (\(binary))") }
        try measure(port: port)
    }

    func measure(port: Int) throws {
        let request = Array(
            ("POST /2015-03-31/functions/faas_measure/invocations HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}").utf8)

        // Round trip: one keep-alive connection, one warm environment.
        let connection = try BenchConnection(port: port)
        for _ in 0..<50 { _ = try connection.roundTrip(request) }
        var samples: [Double] = []
        samples.reserveCapacity(requests)
        for _ in 0..<requests {
            let t0 = DispatchTime.now().uptimeNanoseconds
            guard try connection.roundTrip(request) == 200 else { throw ValidationError("invoke failed") }
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        samples.sort()
        func pct(_ p: Double) -> Double { samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
        let mean = samples.reduce(0, +) / Double(max(1, samples.count))
        print(
            String(
                format:
                    "emulator: invoke round trip, empty warm function (%d MB), loopback, %d calls: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, mean %.3f ms, max %.3f ms",
                memory, requests, pct(0.5), pct(0.9), pct(0.99), mean, samples.last ?? 0))

        // Rate: C connections each invoking back to back for `seconds`.
        var best = (rate: 0.0, c: 0)
        for c in concurrency.split(separator: ",").compactMap({ Int($0) }) {
            let counter = BenchCounter()
            let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
            let group = DispatchGroup()
            for _ in 0..<c {
                group.enter()
                Thread {
                    defer { group.leave() }
                    guard let conn = try? BenchConnection(port: port) else { return }
                    var ok = 0
                    var throttled = 0
                    while DispatchTime.now().uptimeNanoseconds < deadline {
                        guard let status = try? conn.roundTrip(request) else { break }
                        if status == 200 { ok += 1 } else { throttled += 1 }
                    }
                    counter.add(ok, throttled)
                }.start()
            }
            group.wait()
            let (ok, throttled) = counter.values
            let rate = Double(ok) / seconds
            print(String(format: "emulator: %2d connections: %.0f warm invocations/s (%d ok, %d throttled)", c, rate, ok, throttled))
            if rate > best.rate { best = (rate, c) }
        }
        print(
            String(
                format: "emulator: highest sustained warm invocation rate: %.0f/s with %d connections (%d cores)",
                best.rate, best.c, ProcessInfo.processInfo.activeProcessorCount))
    }
}

final class BenchCounter: @unchecked Sendable {  // guarded by lock
    private let lock = NSLock()
    private var ok = 0, throttled = 0
    func add(_ o: Int, _ t: Int) {
        lock.lock()
        ok += o
        throttled += t
        lock.unlock()
    }
    var values: (Int, Int) {
        lock.lock()
        defer { lock.unlock() }
        return (ok, throttled)
    }
}

/// A blocking keep-alive HTTP/1.1 connection that reads Content-Length responses.
final class BenchConnection {
    let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 65536)

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            close(fd)
            throw ValidationError("connect failed")
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    /// Sends one request and returns the response's status code.
    func roundTrip(_ request: [UInt8]) throws -> Int {
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { throw ValidationError("send failed") }
        var received: [UInt8] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, 65536, 0) }
            guard n > 0 else { throw ValidationError("connection closed") }
            received += buffer[0..<n]
            guard let end = Self.headerEnd(received) else { continue }
            let head = String(decoding: received[0..<end], as: UTF8.self)
            let length =
                head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            if received.count >= end + 4 + length {
                return Int(head.split(separator: " ")[1]) ?? 0
            }
        }
    }

    static func headerEnd(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0...(b.count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return i }
        return nil
    }
}
