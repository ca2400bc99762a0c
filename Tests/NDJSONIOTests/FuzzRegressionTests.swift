import RecordSchema
import Testing

@testable import NDJSONIO

/// Inputs fuzz-projection found (Fuzz/, docs/fuzzing.md), kept as regressions: the
/// projection must decline them, and the decoder report them.
@Suite("Fuzzing regressions: call projection")
struct ProjectionFuzzRegressionTests {
    static let invocation =
        #"{"record":"invocation","run":"example","seq":1,"phase":0,"memory_mb":128,"instance":"sleep","application":"faas_sleep","at_s":0.550294056443446,"target":{"kind":"lambda","function":"faas_sleep","region":null,"invocation_type":"RequestResponse"},"payload":{"ms":100},"payload_index":0,"seed":42,"phase_start_unix_ms":1796164302621.382,"sent_unix_ms":179616430317182,"sent_unix_ms":1796164303505.15,"lag_ms":0.141,"latency_ms":101.893,"scheduled_latency_ms":102.034,"http_status":200,"request_id":"d5704e48-8f00-4879-a37f-416e0c9ecfe9","function_error":null,"error":null,"attempts":1,"response_bytes":98}"#

    func scan(_ line: String, calls: Bool) -> CallProjection.Kind? {
        var copy = line
        return copy.withUTF8 { CallProjection.scan($0, calls: calls)?.0 }
    }

    func decodeError(_ line: String) -> FieldFailure? {
        var copy = line
        return copy.withUTF8 { b in
            do {
                _ = try Record.decode(b)
                return nil
            } catch {
                return error as? FieldFailure
            }
        }
    }

    /// A repeated key the projection reads: it took the last value, the decoder rejects the line.
    @Test(arguments: ["sent_unix_ms", "memory_mb", "at_s", "record"])
    func repeatedKeyIsLeftToTheDecoder(_ key: String) {
        // The fuzzer's line repeats sent_unix_ms; the others repeat a key in front of it.
        let prefix = #"{"record":"invocation","#
        let line =
            key == "sent_unix_ms"
            ? Self.invocation : prefix + "\"\(key)\":\(key == "record" ? "\"log\"" : "1")," + Self.invocation.dropFirst(prefix.count)
        #expect(scan(line, calls: true) == nil)
        #expect(scan(line, calls: false) == nil)
        #expect(decodeError(line)?.problem == "duplicate key \"\(key)\"")
    }

    /// Invalid UTF-8 in a string the projection keeps (the function's name, the instance, the
    /// payload): the decoder repairs it (U+FFFD), so fast and slow path named the call differently.
    @Test(arguments: [#""function":"faas_sleep""#, #""instance":"sleep""#, #""payload":{"ms""#])
    func invalidUTF8IsLeftToTheDecoder(_ member: String) {
        let valid = [UInt8](Self.invocation.replacingFirst("\"sent_unix_ms\":179616430317182,", with: "").utf8)
        var bytes = valid
        let target = Array(member.utf8)
        let at = (0...(bytes.count - target.count)).first { Array(bytes[$0..<($0 + target.count)]) == target }!
        bytes.insert(contentsOf: [0xFF, 0xC3], at: at + target.count - 2)  // a stray byte and a truncated sequence
        #expect(valid.withUnsafeBufferPointer { CallProjection.scan($0, calls: true) } != nil)
        #expect(bytes.withUnsafeBufferPointer { CallProjection.scan($0, calls: true) } == nil)
        #expect(bytes.withUnsafeBufferPointer { CallProjection.scan($0, calls: false) } == nil || member.contains("instance"))
    }
}

extension String {
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let r = firstRange(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(r, with: replacement)
        return copy
    }
}
