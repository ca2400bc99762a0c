import Foundation
import RecordSchema

@testable import Planning

/// Helpers shared by the Planning tests.
enum Fixture {
    static func url(_ relative: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(relative)
    }

    static func bytes(_ relative: String) throws -> Data { try Data(contentsOf: url(relative)) }
}

/// A schedule built in-process from workload text (payload paths relative to `directory`).
func schedule(_ json: String, generator: Generator = .rightsize, directory: String = "") throws -> Schedule {
    let workload = try WorkloadParser(file: "test.json", baseDirectory: directory).parse(Array(json.utf8))
    return Schedule(workload: workload, workloadSHA256: "", generator: generator)
}

/// All times of one instance's stream.
func times(_ s: Schedule, instance name: String) -> [Double] {
    let index = s.workload.instances.firstIndex { $0.name == name }!
    let stream = s.stream(instance: index)
    var out: [Double] = []
    while let t = stream.next() { out.append(t) }
    return out
}

/// Decodes every line of an NDJSON text into records.
func records(_ text: String) throws -> [Record] {
    try text.split(separator: "\n").map { line in
        var copy = String(line)
        return try copy.withUTF8 { try Record.decode($0) }
    }
}

func scheduledCalls(_ text: String) throws -> [ScheduledCall] {
    try records(text).compactMap { if case .schedule(let c) = $0 { c } else { nil } }
}

func runHeader(_ text: String) throws -> RunHeader? {
    try records(text).first.flatMap { if case .run(let h) = $0 { h } else { nil } }
}
