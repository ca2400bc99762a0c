import Foundation
import TestSupport
import Testing

/// What functions report about who served them: faas_measure's `stat` identity fields and
/// the built-in SAAF hello function with its Inspector metrics.
@Suite("Function identity and saaf_hello")
struct FunctionIdentityTests {
    @Test func statInstanceIdIsTheLogStreamsAndStableForOneEnvironment() throws {
        let emulator = try LocalEmulator.start(["--log-delay-ms", "0"])
        defer { emulator.stop() }
        let first = try RawHTTP.invoke("faas_measure", #"{"cmds":{"stat":{}}}"#, port: emulator.port)
        let second = try RawHTTP.invoke("faas_measure", #"{"cmds":{"stat":{}}}"#, port: emulator.port)
        let stat = try #require(first.json["stat"] as? [String: Any])
        let instance = try #require(stat["inst_id"] as? String)
        #expect(instance.count == 32)
        #expect((second.json["stat"] as? [String: Any])?["inst_id"] as? String == instance)
        let vm = try #require(stat["vm_id"] as? String)
        let bootId = try String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)
        #expect(vm == bootId.trimmingCharacters(in: .whitespacesAndNewlines))
        let streams = try RawHTTP.logs("DescribeLogStreams", #"{"logGroupName":"/aws/lambda/faas_measure"}"#, port: emulator.port)
        let names = (streams.json["logStreams"] as? [[String: Any]])?.compactMap { $0["logStreamName"] as? String } ?? []
        #expect(names == ["\(names.first?.prefix(10) ?? "")/[$LATEST]\(instance)"], "inst_id is the stream's suffix")
    }

    @Test func saafHelloAnswersWithTheInspectorsMetrics() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let r = try RawHTTP.invoke("saaf_hello", #"{"name":"Bob"}"#, port: emulator.port)
        #expect(r.status == 200 && r.header("X-Amz-Function-Error") == nil)
        let first = r.json
        #expect(first["message"] as? String == "Hello Bob!")
        #expect(first["newcontainer"] as? Int == 1)
        #expect((first["uuid"] as? String)?.count == 36)
        #expect(first["functionName"] as? String == "saaf_hello")
        #expect(first["functionMemory"] as? String == "128")
        #expect(first["platform"] as? String == "AWS Lambda")
        for field in ["cpuUser", "cpuKernel", "cpuIdle", "cpuIOWait", "cpuSteal"] {
            #expect(first[field] is Double, "\(field)")
            #expect(first[field + "Delta"] is Double, "\(field)Delta")
        }
        for field in ["startTime", "endTime", "runtime", "frameworkRuntime", "userRuntime", "invocations", "pageFaultsDelta"] {
            #expect(first[field] is Int, "\(field)")
        }
        let second = try RawHTTP.invoke("saaf_hello", "{}", port: emulator.port).json
        #expect(second["message"] as? String == "Hello World!")
        #expect(second["newcontainer"] as? Int == 0, "the same environment serves the second call")
        #expect(second["uuid"] as? String == first["uuid"] as? String)
        #expect(second["invocations"] as? Int == 2)
        let gateway = try RawHTTP.exchange(
            "POST", "/default/saaf_hello", port: emulator.port, body: Array(#"{"name":"Ann"}"#.utf8), sign: nil)
        #expect(gateway.json["message"] as? String == "Hello Ann!")
    }

    @Test func saafHelloSeesItsNewMemorySizeInANewContainer() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let before = try RawHTTP.invoke("saaf_hello", #"{"name":"Bob"}"#, port: emulator.port).json
        #expect(try ConfigurationUpdateTests.update("saaf_hello", #"{"MemorySize":256}"#, port: emulator.port).status == 200)
        _ = try ConfigurationUpdateTests.awaitSuccessful("saaf_hello", port: emulator.port)
        let after = try RawHTTP.invoke("saaf_hello", #"{"name":"Bob"}"#, port: emulator.port).json
        #expect(after["functionMemory"] as? String == "256")
        #expect(after["newcontainer"] as? Int == 1)
        #expect(after["uuid"] as? String != before["uuid"] as? String)
    }
}
