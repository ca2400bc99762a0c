import Foundation
import TestSupport
import Testing

/// The same payloads through the built-in Swift faas_measure and the real Python one
/// (data/functions/faas_measure, run by awslambdaric): the fields that must agree do.
/// docs/faas_measure.md lists them, and the ones that differ by nature (cpu's work, cpuu's
/// meaning, io's per-round list).
@Suite("faas_measure: built-in and Python agree", .serialized)
struct FaasMeasureParityTests {
    let emulator: LocalEmulator
    let dir: TemporaryDirectory

    init() throws {
        dir = try TemporaryDirectory("faas-parity")
        let config = dir.file("functions.json")
        try """
        {"functions": [
          {"name": "builtin", "handler": "faas_measure", "memory_mb": 512, "timeout_s": 30},
          {"name": "python", "runtime": "python3.12", "handler": "handler.handler",
           "code": "\(PackageRoot.path)/data/functions/faas_measure", "memory_mb": 512, "timeout_s": 30}
        ]}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        emulator = try LocalEmulator.start(["--config", config])
    }

    func both(_ payload: String) throws -> [String: [String: Any]] {
        var answers: [String: [String: Any]] = [:]
        for function in ["builtin", "python"] {
            let reply = try RawHTTP.invoke(function, payload, port: emulator.port)
            #expect(reply.status == 200, "\(function): \(reply.text)")
            answers[function] = reply.json
            answers[function]?["_functionError"] = reply.header("X-Amz-Function-Error")
        }
        return answers
    }

    @Test func sameAnswersWhereTheyMustAgree() throws {
        defer {
            emulator.stop()
            dir.remove()
        }
        // The seed's modified workload (docs/faas_measure.md), without net (no iperf server here).
        let seed =
            #"{"cmds": {"sleep_till": 0, "sleep": 20, "stat": {"argv": 1}, "io": {"rd": 3, "size": "64k", "cnt": 5}, "cpu": {"n": 600}, "cpuu": {"n": 3}, "alloc": {"mb": 8}, "env": {"names": ["AWS_LAMBDA_FUNCTION_NAME", "NOT_SET_ANYWHERE"]}}}"#
        var instances: [String: String] = [:]
        for call in 1...2 {
            let answers = try both(seed)
            for (function, a) in answers {
                #expect(a["_functionError"] == nil, "\(function): \(a)")
                let commands: Set = ["sleep_till", "sleep", "stat", "io", "cpu", "cpuu", "alloc", "env"]
                #expect(
                    Set(a.keys).subtracting(["_functionError"]) == commands.union(["start_time", "end_time", "elapsed_time"]),
                    "\(function): \(a.keys.sorted())")
                let start = try #require(a["start_time"] as? Double)
                let end = try #require(a["end_time"] as? Double)
                let elapsed = try #require(a["elapsed_time"] as? Double)
                #expect(start <= end && abs(end - start - elapsed) < 0.01, "\(function)")
                #expect((a["sleep"] as? Double).map { $0 >= 20 } == true, "\(function): \(a["sleep"] ?? "nil")")
                let stat = try #require(a["stat"] as? [String: Any])
                #expect(stat["invocation"] as? Int == call, "\(function)")
                #expect(stat["warm"] as? Bool == (call > 1), "\(function)")
                #expect((stat["pid"] as? Int).map { $0 > 0 } == true)
                #expect((stat["uptime_ms"] as? Double).map { $0 >= 0 } == true)
                #expect((stat["max_rss_mb"] as? Double).map { $0 > 0 } == true)
                #expect(stat["vm_id"] as? String == EnvironmentIdentityFixture.bootId, "\(function)")
                let inst = try #require(stat["inst_id"] as? String)
                #expect(inst.count == 32 && inst.allSatisfy(\.isHexDigit), "\(function): \(inst)")
                if let earlier = instances[function] { #expect(inst == earlier, "\(function): one environment, one inst_id") }
                instances[function] = inst
                let cpu = try #require(a["cpu"] as? [String: Any])
                #expect(cpu["n"] as? Int == 600 && (cpu["elapsed_ms"] as? Double) != nil, "\(function): \(cpu)")
                let alloc = try #require(a["alloc"] as? [String: Any])
                #expect(alloc["mb"] as? Double == 8 && (alloc["elapsed_ms"] as? Double) != nil, "\(function): \(alloc)")
                let env = try #require(a["env"] as? [String: Any])
                #expect(env["AWS_LAMBDA_FUNCTION_NAME"] as? String == function)
                #expect(env["NOT_SET_ANYWHERE"] is NSNull, "\(function): \(env)")
            }
            // io: the built-in sums its rounds, Python lists them; the bytes written agree.
            let builtinIO = try #require(answers["builtin"]?["io"] as? [String: Any])
            let pythonIO = try #require(answers["python"]?["io"] as? [[String: Any]])
            #expect(builtinIO["rounds"] as? Int == 3 && pythonIO.count == 3)
            #expect(builtinIO["bytes"] as? Int == pythonIO.compactMap { $0["bytes"] as? Int }.reduce(0, +))
            #expect(builtinIO["bytes"] as? Int == 3 * 5 * 65536)
        }
        #expect(instances["builtin"] != instances["python"])
    }

    @Test func sameErrorTypes() throws {
        defer {
            emulator.stop()
            dir.remove()
        }
        for (payload, type) in [
            (#"{"cmds": {"bogus": 1}}"#, "UnknownCommand"),
            (#"{"cmds": {"cpu": {"n": -1}}}"#, "InvalidArgument"),
            (#"{"cmds": {"io": {"size": "12 parsecs"}}}"#, "InvalidArgument"),
            (#"{"cmds": 5}"#, "InvalidPayload"),
        ] {
            for (function, a) in try both(payload) {
                #expect(a["_functionError"] as? String == "Unhandled", "\(function) \(payload)")
                #expect(a["errorType"] as? String == type, "\(function) \(payload): \(a)")
                #expect((a["errorMessage"] as? String)?.isEmpty == false)
            }
        }
    }

    @Test func theSeedsStringFormats() throws {
        defer {
            emulator.stop()
            dir.remove()
        }
        // The original's result#start#end#elapsed string, and the modified workload's JSON in a string.
        let hash = try RawHTTP.invoke("python", #"{"cmds": {"cpu": {"n": 100}}, "format": "hash"}"#, port: emulator.port)
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(hash.body), options: .fragmentsAllowed) as? String)
            .split(separator: "#").map { Double($0) }
        #expect(fields.count == 4 && fields.allSatisfy { $0 != nil }, "\(hash.text)")
        if fields.count == 4, let start = fields[1], let end = fields[2] { #expect(start <= end) }
        let text = try RawHTTP.invoke("python", #"{"cmds": {"sleep": 1}, "format": "json-string"}"#, port: emulator.port)
        let inner = try #require(try JSONSerialization.jsonObject(with: Data(text.body), options: .fragmentsAllowed) as? String)
        let decoded = try JSONSerialization.jsonObject(with: Data(inner.utf8)) as? [String: Any]
        #expect((decoded?["sleep"] as? Double) != nil && (decoded?["elapsed_time"] as? Double) != nil, "\(inner)")
    }
}

/// The host's boot id: what both implementations report as `vm_id`.
enum EnvironmentIdentityFixture {
    static let bootId = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines)
}
