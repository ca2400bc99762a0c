import ArgumentParser
import LogCollection

#if canImport(Glibc)
import Glibc
#endif

/// `rightsize-bench logs`: REPORT parse rate (target >= 1,000,000 lines/s in release) and, with
/// `--endpoint`, FilterLogEvents calls used against a running lambda-emulator (target: within 10%
/// of ceil(events / page size) + polling passes).
struct LogsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "REPORT parse rate; with --endpoint, FilterLogEvents calls for N events against lambda-emulator.",
        discussion: """
            Calls: start `lambda-emulator --port 9100 --log-delay-ms 1000 --state-dir /tmp/bench-emu` and pass             --endpoint http://127.0.0.1:9100. The emulator's default credentials are used.
            """)

    @Option(help: "Synthetic REPORT lines to parse per round.")
    var lines: Int = 1_000_000

    @Option(help: "Rounds (the best is reported).")
    var rounds: Int = 5

    @Option(help: "A running lambda-emulator's URL: also count FilterLogEvents calls (invokes --events calls first).")
    var endpoint: String?

    @Option(help: "Invocations (= REPORT events) for the call count.")
    var events: Int = 2_000

    @Option(help: "FilterLogEvents page size (limit) for the call count.")
    var pageLimit: Int = 100

    @Option(help: "Seconds between polling passes for the call count.")
    var pollInterval: Double = 1

    @Option(help: "Emulator function to invoke for the call count.")
    var function: String = "faas_sleep"

    @Option(help: "Invocations file: written after invoking, or, when it exists, re-used without invoking again.")
    var invocations: String?

    func run() throws {
        let corpus = SyntheticReports.make(count: lines)
        var best = Double.infinity
        var parsed = 0
        for _ in 0..<rounds {
            let clock = ContinuousClock()
            var ok = 0
            let t = clock.measure {
                corpus.bytes.withUnsafeBufferPointer { all in
                    for k in 0..<corpus.offsets.count - 1 {
                        let line = UnsafeBufferPointer(rebasing: all[corpus.offsets[k]..<corpus.offsets[k + 1]])
                        if case .report = ReportLineParser.parse(line) { ok += 1 }
                    }
                }
            }
            parsed = ok
            best = min(best, Double(t.components.seconds) + Double(t.components.attoseconds) * 1e-18)
        }
        let rate = Double(lines) / best
        print("logs parse: \(lines) REPORT lines (\(corpus.bytes.count / max(lines, 1)) bytes avg, variant mix), \(parsed) parsed")
        print(
            "logs parse: best of \(rounds): \(String(format3(best))) s = \(Int(rate)) lines/s (target >= 1000000) \(rate >= 1_000_000 ? "PASS" : "BELOW TARGET")"
        )
        if let endpoint {
            let failure = AsyncRunner.run { [events, pageLimit, pollInterval, function, invocations] in
                try await LogsCallCount.run(
                    endpoint: endpoint, events: events, pageLimit: pageLimit,
                    pollInterval: pollInterval, function: function, invocationsFile: invocations)
            }
            if let failure { throw failure }
        }
    }

    func format3(_ x: Double) -> String { String(Double(Int((x * 1000).rounded())) / 1000) }
}

/// A reproducible mix of REPORT variants (docs/await-logs.md), one message per line.
enum SyntheticReports {
    struct Corpus {
        var bytes: [UInt8]
        var offsets: [Int]
    }

    static func make(count: Int) -> Corpus {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * 190)
        var offsets = [0]
        offsets.reserveCapacity(count + 1)
        var state: UInt64 = 42
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        for k in 0..<count {
            let id = "\(hex(next(), 8))-\(hex(next(), 4))-4\(hex(next(), 3))-a\(hex(next(), 3))-\(hex(next(), 12))"
            let d = Double(next() % 500_000) / 100
            let billed = Int(d.rounded(.up))
            let mem = [128, 256, 512, 1024, 1769, 3008][k % 6]
            let used = 40 + Int(next() % 80)
            let line: String
            switch k % 10 {
            case 0:
                line =
                    "REPORT RequestId: \(id)\tDuration: \(d) ms\tBilled Duration: \(billed) ms\tMemory Size: \(mem) MB\tMax Memory Used: \(used) MB\tInit Duration: \(Double(next() % 90_000) / 100) ms\t"
            case 1:
                line =
                    "REPORT RequestId: \(id)\tDuration: \(d) ms\tBilled Duration: \(billed) ms \tMemory Size: \(mem) MB\tMax Memory Used: \(used) MB\t"
            case 2:
                line =
                    "REPORT RequestId: \(id)\tDuration: \(d) ms\tBilled Duration: \(billed) ms\tMemory Size: \(mem) MB\tMax Memory Used: \(used) MB\tRestore Duration: 398.97 ms\tBilled Restore Duration: 182 ms\t"
            case 3:
                line =
                    "REPORT RequestId: \(id)\tDuration: \(d) ms\tBilled Duration: \(billed) ms\tMemory Size: \(mem) MB\tMax Memory Used: \(used) MB\t\nXRAY TraceId: 1-5e61292c-\(hex(next(), 24))\tSegmentId: \(hex(next(), 16))\tSampled: true\t"
            case 4:
                line =
                    "REPORT RequestId: \(id)\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: \(mem) MB\tMax Memory Used: \(used) MB\tStatus: timeout"
            case 5:
                line =
                    "REPORT RequestId: \(id)\tDuration: \(d) ms\tBilled Duration: \(billed) ms\tMemory Size: \(mem) MB\tMax Memory Used: \(mem) MB\tStatus: error\tError Type: Runtime.OutOfMemory"
            case 6:
                line =
                    "REPORT RequestId: \(id) Duration: \(d) ms  Billed Duration: \(billed) ms Memory Size: \(mem) MB Max Memory Used: \(used) MB"
            case 7:
                line =
                    #"{"time":"2024-02-09T08:42:44.080Z","type":"platform.report","record":{"requestId":"\#(id)","status":"success","metrics":{"durationMs":\#(d),"billedDurationMs":\#(billed),"memorySizeMB":\#(mem),"maxMemoryUsedMB":\#(used)}}}"#
            default:
                line =
                    "REPORT RequestId: \(id)\tDuration: \(d) ms\tBilled Duration: \(billed) ms\tMemory Size: \(mem) MB\tMax Memory Used: \(used) MB\t"
            }
            bytes.append(contentsOf: line.utf8)
            offsets.append(bytes.count)
        }
        return Corpus(bytes: bytes, offsets: offsets)
    }

    static func hex(_ v: UInt64, _ digits: Int) -> String {
        let s = String(v, radix: 16)
        let padded = String(repeating: "0", count: max(0, digits - s.count)) + s
        return String(padded.suffix(digits))
    }
}

/// Runs async work from this synchronous command (the bench's root command is not async).
enum AsyncRunner {
    static func run(_ body: @escaping @Sendable () async throws -> Void) -> Error? {
        let box = ErrorBox()
        let done = DispatchSemaphoreLike()
        Task {
            do { try await body() } catch { box.set(error) }
            done.signal()
        }
        done.wait()
        return box.get()
    }
}

/// The error of the async work; set once by the task, read after it signalled (lock for Sendable).
final class ErrorBox: @unchecked Sendable {
    private var error: Error?
    private var lock = pthread_mutex_t()
    init() { pthread_mutex_init(&lock, nil) }
    func set(_ e: Error) {
        pthread_mutex_lock(&lock)
        error = e
        pthread_mutex_unlock(&lock)
    }
    func get() -> Error? {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return error
    }
}

/// A POSIX semaphore (Foundation-free) to block the command's thread until the task ends.
final class DispatchSemaphoreLike: @unchecked Sendable {  // sem_t is thread-safe by itself
    private var sem = sem_t()
    init() { sem_init(&sem, 0, 0) }
    func signal() { sem_post(&sem) }
    func wait() { while sem_wait(&sem) != 0 {} }
}
