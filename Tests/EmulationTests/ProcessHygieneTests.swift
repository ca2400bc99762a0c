import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What an execution environment may hold and what it leaves behind: only its own pipes,
/// no crash helper, a /tmp of its own that is capped and removed, and nothing at all after
/// a crash, a timeout or the emulator's SIGTERM.
@Suite("Process hygiene")
struct ProcessHygieneTests {
    static func descriptors(of pid: Int32) -> Set<Int> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).compactMap { Int($0) })
    }

    static func environment(of pid: Int32) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Bytes the process has read so far (`rchar` of /proc/PID/io).
    static func bytesRead(by pid: Int32) -> Int {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").first { $0.hasPrefix("rchar:") }.flatMap {
            Int($0.dropFirst(6).trimmingCharacters(in: .whitespaces))
        } ?? 0
    }

    /// Processes whose process group is `group` (a worker leads its own).
    static func members(ofGroup group: Int32) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }.filter {
            getpgid($0) == group
        }
    }

    /// The emulator's own cgroup directories, by its pid.
    static func cgroups(of emulator: Int32) -> [String] {
        ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/memory", "/sys/fs/cgroup"].map { "\($0)/lambda-emulator-\(emulator)" }.filter {
            FileManager.default.fileExists(atPath: $0)
        }
    }

    @Test func aWorkerHoldsOnlyItsPipesAndRunsWithoutTheCrashHelper() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        #expect(try RawHTTP.invoke("faas_sleep", #"{"ms": 1}"#, port: emulator.port).status == 200)
        let worker = try #require(emulator.workerPids.first)
        // No socket at all: neither the listening socket nor a client's connection leaks in.
        let sockets = Self.descriptors(of: worker).filter { fd in
            ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(worker)/fd/\(fd)")) ?? "").hasPrefix("socket:")
        }
        #expect(sockets.isEmpty, "the worker holds sockets \(sockets)")
        let environment = Self.environment(of: worker)
        #expect(environment.contains("SWIFT_BACKTRACE=enable=no"))
        let tmp = try #require(environment.first { $0.hasPrefix("TMPDIR=") }.map { String($0.dropFirst("TMPDIR=".count)) })
        #expect(tmp.hasPrefix(emulator.stateDirectory + "/tmp/lambda-emulator-\(emulator.pid)/"))
        #expect(getpgid(worker) == worker, "a worker leads its own process group")
    }

    @Test func aCrashedWorkerIsReportedAtOnceAndLeavesNothingBehind() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        #expect(try RawHTTP.invoke("faas_measure", #"{"cmds":{"stat":{}}}"#, port: emulator.port).status == 200)
        let worker = try #require(emulator.workerPids.first)
        let tmp = try #require(
            Self.environment(of: worker).first { $0.hasPrefix("TMPDIR=") }.map { String($0.dropFirst("TMPDIR=".count)) })
        #expect(FileManager.default.fileExists(atPath: tmp))
        // The call would sleep 20 s; the worker crashes (SIGSEGV) while it runs: once it has
        // read the request (its read count grows), however long that takes on a busy machine.
        let readBefore = Self.bytesRead(by: worker)
        let killer = Thread {
            _ = Wait.until(timeout: 60) { Self.bytesRead(by: worker) > readBefore }
            kill(worker, SIGSEGV)
        }
        killer.start()
        let r = try RawHTTP.invoke("faas_measure", #"{"cmds":{"sleep":20000}}"#, port: emulator.port)
        #expect(r.header("X-Amz-Function-Error") == "Unhandled")
        #expect(r.json["errorType"] as? String == "Runtime.ExitError")
        #expect((r.json["errorMessage"] as? String)?.contains("segmentation fault") == true, "\(r.json)")
        #expect(r.tailLog.contains("Runtime.ExitError"))
        #expect(Wait.until(timeout: 10) { Self.members(ofGroup: worker).isEmpty && !FileManager.default.fileExists(atPath: tmp) })
        #expect(try RawHTTP.invoke("faas_sleep", #"{"ms": 1}"#, port: emulator.port).status == 200, "still serving")
    }

    @Test func sigtermLeavesNoProcessNoCgroupAndNoScratch() throws {
        let emulator = try LocalEmulator.start()
        for function in ["faas_measure", "faas_sleep"] {
            #expect(try RawHTTP.invoke(function, "{}", port: emulator.port).status == 200)
        }
        let workers = emulator.workerPids
        #expect(workers.count == 2)
        let scratch = emulator.stateDirectory + "/tmp/lambda-emulator-\(emulator.pid)"
        #expect(FileManager.default.fileExists(atPath: scratch))
        let pid = emulator.pid
        #expect(emulator.stop(keepState: true) == 0)
        defer { try? FileManager.default.removeItem(atPath: emulator.stateDirectory) }
        #expect(workers.allSatisfy { Self.members(ofGroup: $0).isEmpty })
        #expect(Self.cgroups(of: pid).isEmpty, "\(Self.cgroups(of: pid))")
        #expect(!FileManager.default.fileExists(atPath: scratch))
    }

    @Test func argumentsOutOfRangeAreFunctionErrorsAndTheWorkerLivesOn() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        #expect(try RawHTTP.invoke("faas_measure", "{}", port: emulator.port).status == 200)
        let worker = try #require(emulator.workerPids.first)
        let cases: [(payload: String, type: String)] = [
            (#"{"cmds":{"cpu":{"n":1e14}}}"#, "InvalidArgument"),
            (#"{"cmds":{"cpu":{"n":1e19}}}"#, "InvalidArgument"),
            (#"{"cmds":{"cpu":{"n":-1}}}"#, "InvalidArgument"),
            (#"{"cmds":{"alloc":{"mb":1e300}}}"#, "InvalidArgument"),
            (#"{"cmds":{"sleep":1e300}}"#, "InvalidArgument"),
            (#"{"cmds":{"sleep":-5}}"#, "InvalidArgument"),
            (#"{"cmds":{"sleep_till":{"unix_ms":1e300}}}"#, "InvalidArgument"),
            (#"{"cmds":{"cpuu":{"n":"long"}}}"#, "InvalidArgument"),
            (#"{"cmds":{"io":{"size":0}}}"#, "InvalidArgument"),
            (#"{"cmds":{"io":{"size":1.5}}}"#, "InvalidArgument"),
            (#"{"cmds":{"io":{"cnt":2000000}}}"#, "InvalidArgument"),
            (#"{"cmds":{"io":5}}"#, "InvalidArgument"),
            (#"{"cmds":{"io":{"size":67108864,"cnt":1048576,"rd":false}}}"#, "IOError"),
            (#"{"cmds":{"io":{"size":67108864,"cnt":9,"rd":false}}}"#, "IOError"),
            (#"{"cmds":5}"#, "InvalidPayload"),
            (#"{"cmds":[1]}"#, "InvalidPayload"),
            ("null", "InvalidPayload"),
            ("[1,2]", "InvalidPayload"),
            (#""text""#, "InvalidPayload"),
            (#"{"cmds":{"warp":{}}}"#, "UnknownCommand"),
        ]
        for c in cases {
            let r = try RawHTTP.invoke("faas_measure", c.payload, port: emulator.port)
            #expect(r.header("X-Amz-Function-Error") == "Unhandled", "\(c.payload)")
            #expect(r.json["errorType"] as? String == c.type, "\(c.payload): \(r.json)")
        }
        #expect(emulator.workerPids == [worker], "the same environment served every call")
    }

    @Test func ioWritesInTheEnvironmentsOwnTmp() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let r = try RawHTTP.invoke("faas_measure", #"{"cmds":{"io":{"size":1048576,"cnt":4,"rd":true}}}"#, port: emulator.port)
        #expect(r.status == 200)
        #expect((r.json["io"] as? [String: Any])?["bytes"] as? Int == 4_194_304, "\(r.json)")
        let worker = try #require(emulator.workerPids.first)
        let tmp = try #require(
            Self.environment(of: worker).first { $0.hasPrefix("TMPDIR=") }.map { String($0.dropFirst("TMPDIR=".count)) })
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty, "the scratch file is removed after the call")
    }

    @Test func eventPayloadOver1MBIs413() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let big = #"{"x":""# + String(repeating: "a", count: 1_100_000) + #""}"#
        let r = try RawHTTP.invoke("faas_sleep", big, port: emulator.port, type: "Event", tail: false)
        #expect(r.status == 413)
        #expect(r.header("x-amzn-ErrorType") == "RequestEntityTooLargeException")
    }
}

/// Connections: a cap answered with 503, and deadlines for slow and idle clients.
@Suite("Connection limits")
struct ConnectionLimitTests {
    @Test func connectionsPastTheCapGet503() throws {
        // A long request deadline: the held connections stay open however slow this machine is.
        let emulator = try LocalEmulator.start(["--max-connections", "2", "--request-timeout-s", "120"])
        defer { emulator.stop() }
        var held: [RawHTTP] = []
        for _ in 0..<2 {
            let client = try RawHTTP(port: emulator.port)
            try client.send(Array("POST /2015-03-31/functions/faas_sleep/invocations HTTP/1.1\r\nHost: x\r\n".utf8))
            held.append(client)
        }
        // Each connection is counted when the server accepts it: wait until both are.
        var answer: RawHTTP.Response?
        #expect(
            try Wait.until(timeout: 30) {
                answer = try RawHTTP.exchange("GET", "/2015-03-31/functions/faas_sleep/configuration", port: emulator.port)
                return answer?.status == 503
            })
        #expect(answer?.header("x-amzn-ErrorType") == "ServiceException")
        #expect(answer?.header("Connection")?.lowercased() == "close")
        held.removeAll()  // closes them
        #expect(
            try Wait.until(timeout: 30) {
                try RawHTTP.exchange("GET", "/2015-03-31/functions/faas_sleep/configuration", port: emulator.port).status == 200
            }, "serving again once the held connections are gone")
    }

    @Test func slowAndIdleClientsAreCutOff() throws {
        let emulator = try LocalEmulator.start(["--request-timeout-s", "0.5", "--connection-idle-timeout-s", "1"])
        defer { emulator.stop() }
        // Half a request header and then nothing (slowloris): cut off by the request deadline.
        let slow = try RawHTTP(port: emulator.port)
        try slow.send(Array("POST /2015-03-31/functions/faas_sleep/invocations HTTP/1.1\r\nHost: x\r\n".utf8))
        #expect(Self.endsWithoutAnswer(slow))
        // A connection that sends nothing, and one idle after its answer: cut off by the idle deadline.
        let silent = try RawHTTP(port: emulator.port)
        #expect(Self.endsWithoutAnswer(silent))
        let kept = try RawHTTP(port: emulator.port)
        try kept.send(
            RawHTTP.request("GET", "/2015-03-31/functions/faas_sleep/configuration", port: emulator.port, sign: RawHTTP.localCredentials))
        #expect(try kept.readResponse().status == 200)
        #expect(Self.endsWithoutAnswer(kept))
    }

    /// The server closed the connection (end of file), rather than answering or leaving it
    /// open until the client's 60 s receive timeout.
    static func endsWithoutAnswer(_ client: RawHTTP) -> Bool {
        var byte: UInt8 = 0
        while true {
            let n = recv(client.fd, &byte, 1, 0)
            if n < 0 && errno == EINTR { continue }
            return n == 0 || (n < 0 && errno == ECONNRESET)
        }
    }
}
