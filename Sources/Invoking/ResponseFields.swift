import JSON
import RecordSchema

/// The response fields a workload keeps (`response_fields`): the metrics a function reports
/// about itself, as SAAF's Inspector or faas_measure's `stat` do (docs/workload.md).
enum ResponseFields {
    /// A kept value larger than this is recorded as null: the records carry figures and ids,
    /// not whole responses (`response_bytes` still tells the size).
    static let maximumValueBytes = 4096

    /// One value per pointer, in the workload's order; null where the body is not JSON, has no
    /// such field, or the value is too large.
    static func values(_ pointers: [String], in body: [UInt8]) -> [ResponseValue] {
        guard !pointers.isEmpty else { return [] }
        let root = try? JSONTree.parse(body)
        return pointers.map { text in
            guard let root, let pointer = try? JSONPointer(text), let node = pointer.resolve(in: root) else {
                return ResponseValue(pointer: text, value: .null)
            }
            var w = JSONWriter()
            node.write(to: &w)
            guard w.bytes.count <= maximumValueBytes, let raw = try? RawJSON(parsing: w.text) else {
                return ResponseValue(pointer: text, value: .null)
            }
            return ResponseValue(pointer: text, value: raw)
        }
    }
}
