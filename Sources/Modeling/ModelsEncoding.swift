import Foundation
import RecordSchema

extension ModelsFile {
    /// Deterministic bytes: sorted keys, pretty-printed, trailing newline.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [10]
    }
}
