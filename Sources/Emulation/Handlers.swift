import Clocks
import Foundation
import JSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The functions the emulator can run, executed inside a worker process.
///
/// `faas_measure` implements the faas_measure command set (docs/lambda-emulator.md): the
/// payload's `cmds` object lists commands, run in order; the answer carries
/// `start_time`/`end_time` (epoch ms), `elapsed_time` (ms) and one result per command.
/// `sleep` is a sleep-bound function: `{"ms": N}` (default 100).
struct FunctionHandler: Sendable {
    struct Failure: Error {
        var type: String
        var message: String
    }

    let name: String
    /// When the worker process started (epoch ms), for `stat`'s uptime.
    let startedMs: Double
    /// Multiplies sleep times and cpu steps (the function file's `work_scale`).
    let workScale: Double

    static let known = ["faas_measure", "sleep"]

    init?(name: String, startedMs: Double = WallClock.unixMilliseconds(), workScale: Double = 1) {
        guard Self.known.contains(name) else { return nil }
        self.name = name
        self.startedMs = startedMs
        self.workScale = workScale
    }

    /// Runs one invocation. Memory allocated by `alloc` is held until the end of the call.
    func handle(_ payload: [UInt8], invocation: Int) -> WorkerResponse {
        var log: [String] = []
        var held: [UnsafeMutableRawPointer] = []
        defer { for p in held { free(p) } }
        do {
            let value: JSONNode = payload.isEmpty ? .emptyObject : try JSONTree.parse(payload)
            let start = WallClock.unixMilliseconds()
            var w = JSONWriter()
            w.beginObject()
            switch name {
            case "sleep":
                let ms = value["ms"]?.double ?? 100
                guard ms >= 0 else { throw Failure(type: "InvalidArgument", message: "ms must be >= 0") }
                MonotonicClock.sleep(milliseconds: ms * workScale)
                log.append("slept \(ms * workScale) ms")
                w.key("slept_ms")
                w.number(ms)
            default:
                let commands = value["cmds"]?.members ?? []
                log.append("faas_measure: commands \(commands.map(\.0).joined(separator: ","))")
                for (command, args) in commands {
                    w.key(command)
                    try run(command, args, into: &w, held: &held, invocation: invocation)
                }
            }
            let end = WallClock.unixMilliseconds()
            w.key("start_time")
            w.number(start, decimals: 3)
            w.key("end_time")
            w.number(end, decimals: 3)
            w.key("elapsed_time")
            w.number(end - start, decimals: 3)
            w.endObject()
            return WorkerResponse(isError: false, body: w.bytes, logText: log.joined(separator: "\n"))
        } catch let failure as Failure {
            return Self.errorResponse(type: failure.type, message: failure.message, log: log)
        } catch let failure as JSONSyntaxError {
            return Self.errorResponse(type: "InvalidPayload", message: "payload is not JSON: \(failure.problem)", log: log)
        } catch {
            return Self.errorResponse(type: "Error", message: "\(error)", log: log)
        }
    }

    static func errorResponse(type: String, message: String, log: [String]) -> WorkerResponse {
        let body = jsonObject { w in
            w.key("errorMessage")
            w.string(message)
            w.key("errorType")
            w.string(type)
            w.key("stackTrace")
            w.beginArray()
            w.endArray()
        }
        return WorkerResponse(isError: true, body: body, logText: (log + ["[ERROR] \(type): \(message)"]).joined(separator: "\n"))
    }

    private func run(
        _ command: String, _ args: JSONNode, into w: inout JSONWriter,
        held: inout [UnsafeMutableRawPointer], invocation: Int
    ) throws {
        func number(_ key: String, _ default: Double? = nil) throws -> Double {
            if let d = args[key]?.double ?? `default` { return d }
            throw Failure(type: "InvalidArgument", message: "\(command): missing number \"\(key)\"")
        }
        switch command {
        case "sleep":
            let ms = try args.double ?? number("ms")
            let t0 = WallClock.unixMilliseconds()
            MonotonicClock.sleep(milliseconds: max(0, ms * workScale))
            w.number(WallClock.unixMilliseconds() - t0, decimals: 3)
        case "sleep_till":
            let until = try args.double ?? number("unix_ms")
            let t0 = WallClock.unixMilliseconds()
            MonotonicClock.sleep(milliseconds: max(0, until - t0))
            w.number(WallClock.unixMilliseconds() - t0, decimals: 3)
        case "cpu":
            let n = Int(try args.double ?? number("n"))
            let t0 = WallClock.unixMilliseconds()
            let checksum = CPUWork.run(steps: Int((Double(max(0, n) * CPUWork.stepsPerUnit) * workScale).rounded()))
            w.beginObject()
            w.key("n")
            w.int(n)
            w.key("elapsed_ms")
            w.number(WallClock.unixMilliseconds() - t0, decimals: 3)
            w.key("checksum")
            w.uint64(checksum)
            w.endObject()
        case "cpuu":
            // Spin for n ms of wall time and report the CPU share actually obtained.
            let ms = try args.double ?? number("n")
            let wall0 = WallClock.unixMilliseconds()
            let cpu0 = ThreadCPUClock.milliseconds()
            var iterations: UInt64 = 0
            while WallClock.unixMilliseconds() - wall0 < ms {
                _ = CPUWork.run(steps: 10_000)
                iterations += 1
            }
            let wall = WallClock.unixMilliseconds() - wall0
            let cpu = ThreadCPUClock.milliseconds() - cpu0
            w.beginObject()
            w.key("n")
            w.number(ms)
            w.key("wall_ms")
            w.number(wall, decimals: 3)
            w.key("cpu_ms")
            w.number(cpu, decimals: 3)
            w.key("utilization")
            w.number(wall > 0 ? cpu / wall : 0, decimals: 4)
            w.key("iterations")
            w.uint64(iterations)
            w.endObject()
        case "io":
            try io(args, into: &w)
        case "stat":
            w.beginObject()
            w.key("pid")
            w.int(Int(getpid()))
            w.key("invocation")
            w.int(invocation)
            w.key("warm")
            w.bool(invocation > 1)
            w.key("uptime_ms")
            w.number(WallClock.unixMilliseconds() - startedMs, decimals: 3)
            w.key("max_rss_mb")
            w.number(MemoryProbe.peakRSSMB(pid: getpid()) ?? 0, decimals: 1)
            w.endObject()
        case "alloc":
            let mb = try args.double ?? number("mb")
            let bytes = Int(max(0, mb) * 1_048_576)
            let t0 = WallClock.unixMilliseconds()
            if bytes > 0 {
                guard let p = malloc(bytes) else { throw Failure(type: "Runtime.OutOfMemory", message: "alloc: cannot allocate \(mb) MB") }
                held.append(p)
                // Touch every page so the memory is really resident.
                var offset = 0
                while offset < bytes {
                    p.storeBytes(of: UInt8(1), toByteOffset: offset, as: UInt8.self)
                    offset += 4096
                }
            }
            w.beginObject()
            w.key("mb")
            w.number(mb)
            w.key("elapsed_ms")
            w.number(WallClock.unixMilliseconds() - t0, decimals: 3)
            w.endObject()
        case "net":
            throw Failure(
                type: "NetworkUnavailable",
                message: "net: no iperf server is reachable from lambda-emulator; the net command needs a real deployment")
        default:
            throw Failure(
                type: "UnknownCommand",
                message: "unknown command \"\(command)\" (known: sleep, sleep_till, cpu, cpuu, io, stat, alloc, net)")
        }
    }

    /// `io`: write `cnt` blocks of `size` bytes to a scratch file (fsync), read them back when `rd`.
    private func io(_ args: JSONNode, into w: inout JSONWriter) throws {
        let size = max(1, args["size"]?.int ?? 4096)
        let count = max(0, args["cnt"]?.int ?? 1)
        let readBack = args["rd"]?.bool ?? true
        guard size <= 64 << 20, count <= 1 << 20 else { throw Failure(type: "InvalidArgument", message: "io: size or cnt too large") }
        let path = "/tmp/lambda-emulator-io-\(getpid())"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw Failure(type: "IOError", message: "io: cannot open scratch file") }
        defer {
            close(fd)
            unlink(path)
        }
        let block = [UInt8](repeating: 0x5A, count: size)
        let t0 = WallClock.unixMilliseconds()
        for _ in 0..<count { guard PipeIO.writeAll(fd, block) else { throw Failure(type: "IOError", message: "io: write failed") } }
        fsync(fd)
        let t1 = WallClock.unixMilliseconds()
        var readMs: Double? = nil
        if readBack {
            lseek(fd, 0, SEEK_SET)
            for _ in 0..<count {
                guard PipeIO.readExactly(fd, size) != nil else { throw Failure(type: "IOError", message: "io: read failed") }
            }
            readMs = WallClock.unixMilliseconds() - t1
        }
        w.beginObject()
        w.key("bytes")
        w.int(size * count)
        w.key("write_ms")
        w.number(t1 - t0, decimals: 3)
        w.key("read_ms")
        w.number(readMs, decimals: 3)
        w.endObject()
    }
}

/// Deterministic CPU-bound work: `n` x 100,000 steps of a 64-bit mixing function, so
/// `{"cpu": {"n": 600}}` (data/payloads/cpu.json) is roughly 60-120 ms of one core.
enum CPUWork {
    @inline(never)
    static let stepsPerUnit = 100_000

    static func run(steps total: Int) -> UInt64 {
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        var i = 0
        while i < total {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            x ^= x >> 29
            i &+= 1
        }
        return x
    }
}
