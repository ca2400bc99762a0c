import Clocks
import Foundation
import JSON

#if canImport(Glibc)
import Glibc
#endif

/// The `saaf_hello` handler: SAAF's example function ("Hello Bob!" for `{"name": "Bob"}`)
/// answering with the metrics SAAF's Inspector collects, under the names of its Python
/// template, so SAAF's experiments and plots work on the emulator.
///
/// The figures are read where SAAF reads them: `uuid`/`newcontainer` from a stamp file in the
/// environment's own /tmp (a new environment has none), the CPU times (ms) from the first line
/// of /proc/stat, memory from /proc/meminfo and /proc/vmstat. /proc/stat and /proc/vmstat are
/// the host's here, not a microVM's, so other load on the machine shows in the deltas.
enum SAAFHello {
    /// SAAF's CPU fields, in /proc/stat's column order.
    static let cpuFields = [
        "cpuUser", "cpuNice", "cpuKernel", "cpuIdle", "cpuIOWait", "cpuIrq", "cpuSoftIrq", "cpuSteal", "cpuGuest", "cpuGuestNice",
    ]

    static func handle(_ payload: [UInt8], invocation: Int, workerStartedMs: Double) -> WorkerResponse {
        let start = Int64(WallClock.unixMilliseconds())
        let request: JSONNode
        do { request = payload.isEmpty ? .emptyObject : try JSONTree.parse(payload) } catch {
            return FunctionHandler.errorResponse(type: "InvalidPayload", message: "payload is not JSON: \(error)", log: [])
        }
        guard request.members != nil else {
            return FunctionHandler.errorResponse(
                type: "InvalidPayload", message: "the payload must be a JSON object, not \(request.typeName)", log: [])
        }
        var w = JSONWriter()
        w.beginObject()
        w.key("version")
        w.number(0.7)
        w.key("lang")
        w.string("swift")
        w.key("startTime")
        w.int(Int(start))
        w.key("invocations")
        w.int(invocation)
        w.key("initializationTime")
        w.int(Int(workerStartedMs))
        // inspectAll: container, CPU, platform, Linux, memory, CPU times.
        let (uuid, isNew) = containerStamp()
        w.key("uuid")
        w.string(uuid)
        w.key("newcontainer")
        w.int(isNew ? 1 : 0)
        writeCPUInfo(into: &w)
        writePlatform(into: &w)
        w.key("linuxVersion")
        w.string(linuxVersion())
        let memoryBefore = ProcReader.vmstat()
        let meminfo = ProcReader.meminfo()
        w.key("totalMemory")
        w.int(meminfo["MemTotal"])
        w.key("freeMemory")
        w.int(meminfo["MemFree"])
        w.key("pageFaults")
        w.int(memoryBefore["pgfault"])
        w.key("majorPageFaults")
        w.int(memoryBefore["pgmajfault"])
        let cpuBefore = ProcReader.cpuTimes()
        for (field, value) in zip(cpuFields, cpuBefore.millisecondsPerField) {
            w.key(field)
            w.number(value)
        }
        w.key("bootTime")
        w.int(cpuBefore.bootTime)
        w.key("contextSwitches")
        w.int(cpuBefore.contextSwitches)
        let frameworkRuntime = Int64(WallClock.unixMilliseconds()) - start
        w.key("frameworkRuntime")
        w.int(Int(frameworkRuntime))
        // The function itself.
        w.key("message")
        w.string("Hello \(name(request["name"]))!")
        // inspectAllDeltas.
        let deltasStart = Int64(WallClock.unixMilliseconds())
        w.key("userRuntime")
        w.int(Int(deltasStart - start - frameworkRuntime))
        let cpuAfter = ProcReader.cpuTimes()
        for (i, field) in cpuFields.enumerated() {
            w.key(field + "Delta")
            w.number(cpuAfter.millisecondsPerField[i] - cpuBefore.millisecondsPerField[i])
        }
        w.key("contextSwitchesDelta")
        w.int(cpuAfter.contextSwitches.flatMap { after in cpuBefore.contextSwitches.map { after - $0 } })
        let memoryAfter = ProcReader.vmstat()
        for (field, key) in [("pageFaultsDelta", "pgfault"), ("majorPageFaultsDelta", "pgmajfault")] {
            w.key(field)
            w.int(memoryAfter[key].flatMap { after in memoryBefore[key].map { after - $0 } })
        }
        let end = Int64(WallClock.unixMilliseconds())
        w.key("frameworkRuntimeDeltas")
        w.int(Int(end - deltasStart))
        w.key("runtime")
        w.int(Int(end - start))
        w.key("endTime")
        w.int(Int(end))
        w.endObject()
        return WorkerResponse(isError: false, body: w.bytes, logText: "saaf_hello: invocation \(invocation)")
    }

    /// SAAF's greeting takes the name as text; a name that is not a string is written as JSON.
    static func name(_ node: JSONNode?) -> String {
        guard let node else { return "World" }
        if let s = node.string { return s }
        return ConfigurationChange.describe(node)
    }

    /// The container's id, and whether this call created it: SAAF's `container-id` file in /tmp.
    static func containerStamp() -> (String, Bool) {
        let path = WorkerMain.scratchDirectory + "/container-id"
        if let data = FileManager.default.contents(atPath: path) { return (String(decoding: data, as: UTF8.self), false) }
        let id = UUID().uuidString.lowercased()
        _ = FileManager.default.createFile(atPath: path, contents: Data(id.utf8))
        return (id, true)
    }

    static func writeCPUInfo(into w: inout JSONWriter) {
        let processors = ProcReader.cpuinfo()
        let first = processors.first ?? [:]
        w.key("cpuType")
        w.string(first["model name"] ?? first["Model"])
        w.key("cpuModel")
        w.string(first["model"] ?? first["CPU part"])
        w.key("architecture")
        w.string(first["model name"] != nil ? "x86" : "arm64")
        w.key("cpuCores")
        w.int(processors.count)
    }

    /// SAAF recognises Lambda by `AWS_LAMBDA_LOG_STREAM_NAME`; the emulator's workers have it.
    static func writePlatform(into w: inout JSONWriter) {
        let environment = ProcessInfo.processInfo.environment
        w.key("platform")
        w.string("AWS Lambda")
        w.key("containerID")
        w.string(environment["AWS_LAMBDA_LOG_STREAM_NAME"])
        w.key("functionName")
        w.string(environment["AWS_LAMBDA_FUNCTION_NAME"])
        // A string, as SAAF reads it from the environment.
        w.key("functionMemory")
        w.string(environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
        w.key("functionRegion")
        w.string(environment["AWS_REGION"])
        w.key("vmID")
        w.string(EnvironmentIdentity.vmId)
    }

    /// `uname -a`'s fields.
    static func linuxVersion() -> String {
        var u = utsname()
        guard uname(&u) == 0 else { return "" }
        func text<T>(_ field: inout T) -> String {
            withUnsafePointer(to: &field) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }
        return [text(&u.sysname), text(&u.nodename), text(&u.release), text(&u.version), text(&u.machine)].joined(separator: " ")
    }
}
