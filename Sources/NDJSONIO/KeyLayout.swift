extension CallProjection {
    /// The keys of the previous line, by position, as their exact bytes (`"key":`).
    ///
    /// NDJSON written by one tool repeats its keys in the same order on every line, and
    /// finding where each key ends was the largest single cost of the projection. A key
    /// that matches the remembered one at its position is recognised with three masked
    /// word comparisons instead; any other line is read as before and re-teaches the
    /// layout from the first difference on.
    public struct KeyLayout: Sendable {
        struct Entry: Sendable {
            var words: (UInt64, UInt64, UInt64)
            var masks: (UInt64, UInt64, UInt64)
            var length: Int
            var field: Field
        }
        var entries: [Entry] = []
        /// `"key":` tokens longer than this are not remembered (nor anything after them).
        static let maxLength = 24

        public init() {}

        /// The remembered key at `position` if the bytes at `p` are exactly its token.
        @inline(__always) func match(_ position: Int, at p: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) -> Entry? {
            guard position < entries.count, end - p >= Self.maxLength else { return nil }
            return entries.withUnsafeBufferPointer { all in
                let e = all[position]
                let r = UnsafeRawPointer(p)
                let d =
                    (r.loadUnaligned(as: UInt64.self) ^ e.words.0) & e.masks.0
                    | (r.loadUnaligned(fromByteOffset: 8, as: UInt64.self) ^ e.words.1) & e.masks.1
                    | (r.loadUnaligned(fromByteOffset: 16, as: UInt64.self) ^ e.words.2) & e.masks.2
                return d == 0 ? e : nil
            }
        }

        /// Remembers `token` (the key's bytes from its opening quote to the colon) at `position`,
        /// forgetting what followed it.
        mutating func learn(_ position: Int, _ token: UnsafeBufferPointer<UInt8>, _ field: Field) {
            guard position <= entries.count else { return }
            entries.removeSubrange(position...)
            guard token.count <= Self.maxLength else { return }
            var bytes = [UInt8](repeating: 0, count: Self.maxLength)
            var mask = bytes
            for k in token.indices {
                bytes[k] = token[k]
                mask[k] = 0xFF
            }
            func word(_ b: [UInt8], _ k: Int) -> UInt64 {
                b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self) }
            }
            entries.append(
                Entry(
                    words: (word(bytes, 0), word(bytes, 1), word(bytes, 2)),
                    masks: (word(mask, 0), word(mask, 1), word(mask, 2)), length: token.count, field: field))
        }
    }
}
