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
/// `sleep` is a sleep-bound function: `{"ms": N}` (default 100). `saaf_hello` is SAAF's hello
/// function with its Inspector's metrics (`SAAFHello`).
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

    static let known = ["faas_measure", "sleep", "saaf_hello"]

    init?(name: String, startedMs: Double = WallClock.unixMilliseconds(), workScale: Double = 1) {
        guard Self.known.contains(name) else { return nil }
        self.name = name
        self.startedMs = startedMs
        self.workScale = workScale
    }

    /// Runs one invocation. Memory allocated by `alloc` is held until the end of the call.
    func handle(_ payload: [UInt8], invocation: Int) -> WorkerResponse {
        if name == "saaf_hello" { return SAAFHello.handle(payload, invocation: invocation, workerStartedMs: startedMs) }
        var log: [String] = []
        var held: [UnsafeMutableRawPointer] = []
        defer { for p in held { free(p) } }
        do {
            let value: JSONNode = payload.isEmpty ? .emptyObject : try JSONTree.parse(payload)
            guard value.members != nil else {
                throw Failure(type: "InvalidPayload", message: "the payload must be a JSON object, not \(value.typeName)")
            }
            let start = WallClock.unixMilliseconds()
            var w = JSONWriter()
            w.beginObject()
            switch name {
            case "sleep":
                let ms = try ArgumentLimits.number(value["ms"], "ms", in: 0...ArgumentLimits.maxMilliseconds, command: "sleep") ?? 100
                MonotonicClock.sleep(milliseconds: ms * workScale)
                log.append("slept \(ms * workScale) ms")
                w.key("slept_ms")
                w.number(ms)
            default:
                let commands = value["cmds"].map { $0.members } ?? []
                guard let commands else {
                    throw Failure(type: "InvalidPayload", message: "\"cmds\" must be an object of commands, not \(value["cmds"]!.typeName)")
                }
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
        /// The command's number: the argument itself when it is a bare number, else its `key`.
        func number(_ key: String, in range: ClosedRange<Double>) throws -> Double {
            let node = args.double != nil ? args : args[key]
            guard let d = try ArgumentLimits.number(node, key, in: range, command: command) else {
                throw Failure(type: "InvalidArgument", message: "\(command): missing number \"\(key)\"")
            }
            return d
        }
        switch command {
        case "sleep":
            let ms = try number("ms", in: 0...ArgumentLimits.maxMilliseconds)
            let t0 = WallClock.unixMilliseconds()
            MonotonicClock.sleep(milliseconds: ms * workScale)
            w.number(WallClock.unixMilliseconds() - t0, decimals: 3)
        case "sleep_till":
            let t0 = WallClock.unixMilliseconds()
            let until = try number("unix_ms", in: 0...(t0 + ArgumentLimits.maxMilliseconds))
            MonotonicClock.sleep(milliseconds: max(0, until - t0))
            w.number(WallClock.unixMilliseconds() - t0, decimals: 3)
        case "cpu":
            let n = Int(try number("n", in: 0...Double(ArgumentLimits.maxCPUUnits)))
            let t0 = WallClock.unixMilliseconds()
            let checksum = CPUWork.run(steps: Int((Double(n * CPUWork.stepsPerUnit) * workScale).rounded()))
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
            let ms = try number("n", in: 0...ArgumentLimits.maxMilliseconds)
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
            w.key("inst_id")
            w.string(EnvironmentIdentity.instanceId)
            w.key("vm_id")
            w.string(EnvironmentIdentity.vmId)
            w.endObject()
        case "env":
            // The named variables as the worker process sees them (null when unset): how a
            // caller checks that the function's Environment reached its environments.
            guard let names = args["names"]?.array, names.allSatisfy({ $0.string != nil }) else {
                throw Failure(type: "InvalidArgument", message: "env: expected {\"names\": [\"NAME\", ...]}")
            }
            let list = names.compactMap(\.string)
            let environment = ProcessInfo.processInfo.environment
            w.beginObject()
            for key in list {
                w.key(key)
                w.string(environment[key])
            }
            w.endObject()
        case "alloc":
            let mb = try number("mb", in: 0...ArgumentLimits.maxAllocMB)
            let bytes = Int(mb * 1_048_576)
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
                message: "unknown command \"\(command)\" (known: sleep, sleep_till, cpu, cpuu, io, stat, alloc, env, net)")
        }
    }

    /// `io`: write `cnt` blocks of `size` bytes to a scratch file in the environment's /tmp
    /// (fsync), read them back when `rd`. The file must fit in what is free of /tmp.
    private func io(_ args: JSONNode, into w: inout JSONWriter) throws {
        guard args.members != nil else { throw Failure(type: "InvalidArgument", message: "io: expected an object, not \(args.typeName)") }
        let size = try ArgumentLimits.byteCount(args["size"], "size", in: 1...ArgumentLimits.maxIOBlockBytes, command: "io") ?? 4096
        let count = try ArgumentLimits.integer(args["cnt"], "cnt", in: 0...ArgumentLimits.maxIOBlocks, command: "io") ?? 1
        // `rd` is "read back" (a bool) here, and the number of rounds in the seed's payloads
        // (`"rd": 3`): a number writes the file that many times (and reads it back).
        let roundsNode = args["rd"].flatMap { node -> JSONNode? in if case .number = node.value { node } else { nil } }
        let rounds = try ArgumentLimits.integer(roundsNode, "rd", in: 1...100, command: "io") ?? 1
        let readBack = args["rd"]?.bool ?? true
        let directory = WorkerMain.scratchDirectory
        let free = WorkerMain.ephemeralStorageMB * 1_048_576 - Scratch.usedBytes(directory)
        guard size * count <= free else {
            throw Failure(
                type: "IOError",
                message: "io: \(size * count) bytes do not fit in /tmp (\(WorkerMain.ephemeralStorageMB) MB, \(max(0, free)) bytes free)")
        }
        let path = directory + "/faas_measure-io-\(getpid())"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(type: "IOError", message: "io: cannot open scratch file") }
        defer {
            close(fd)
            unlink(path)
        }
        let block = [UInt8](repeating: 0x5A, count: size)
        var writeMs = 0.0
        var readMs: Double? = readBack ? 0 : nil
        for _ in 0..<rounds {
            lseek(fd, 0, SEEK_SET)
            let t0 = WallClock.unixMilliseconds()
            for _ in 0..<count { guard PipeIO.writeAll(fd, block) else { throw Failure(type: "IOError", message: "io: write failed") } }
            fsync(fd)
            let t1 = WallClock.unixMilliseconds()
            writeMs += t1 - t0
            if readBack {
                lseek(fd, 0, SEEK_SET)
                for _ in 0..<count {
                    guard PipeIO.readExactly(fd, size) != nil else { throw Failure(type: "IOError", message: "io: read failed") }
                }
                readMs? += WallClock.unixMilliseconds() - t1
            }
        }
        w.beginObject()
        w.key("rounds")
        w.int(rounds)
        w.key("bytes")
        w.int(size * count * rounds)
        w.key("write_ms")
        w.number(writeMs, decimals: 3)
        w.key("read_ms")
        w.number(readMs, decimals: 3)
        w.endObject()
    }
}
