#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An object key as read: its bytes (valid until the scanner moves on) and FNV-1a hash.
public struct JSONKey {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01B3

    public let bytes: UnsafeBufferPointer<UInt8>
    public let hash: UInt64
    /// Set only for keys that contained escapes.
    let unescaped: String?

    init(bytes: UnsafeBufferPointer<UInt8>, hash: UInt64, unescaped: String?) {
        self.bytes = bytes
        self.hash = hash
        self.unescaped = unescaped
    }

    init(unescaped: String) {
        var h = Self.offsetBasis
        for c in unescaped.utf8 { h = (h ^ UInt64(c)) &* Self.prime }
        self.bytes = UnsafeBufferPointer(start: nil, count: 0)
        self.hash = h
        self.unescaped = unescaped
    }

    public var string: String { unescaped ?? String(decoding: bytes, as: UTF8.self) }

    static func hash(_ name: String) -> UInt64 {
        var h = offsetBasis
        for c in name.utf8 { h = (h ^ UInt64(c)) &* prime }
        return h
    }
}

/// Maps known key names to small integers by hash (open addressing), checking the bytes,
/// so decoding a record dispatches each key with one probe and a switch on an Int.
public struct JSONFieldTable<Field: RawRepresentable & CaseIterable & Sendable>: Sendable where Field.RawValue == String {
    let slots: [(hash: UInt64, name: [UInt8], field: Field)?]
    let mask: Int

    public init() {
        var size = 16
        while size < Field.allCases.count * 4 { size *= 2 }
        var slots = [(hash: UInt64, name: [UInt8], field: Field)?](repeating: nil, count: size)
        for field in Field.allCases {
            let h = JSONKey.hash(field.rawValue)
            var i = Int(truncatingIfNeeded: h) & (size - 1)
            while slots[i] != nil { i = (i + 1) & (size - 1) }
            slots[i] = (h, Array(field.rawValue.utf8), field)
        }
        self.slots = slots
        self.mask = size - 1
    }

    public func field(for key: JSONKey) -> Field? {
        var i = Int(truncatingIfNeeded: key.hash) & mask
        while let slot = slots[i] {
            if slot.hash == key.hash {
                if let text = key.unescaped { return text == slot.field.rawValue ? slot.field : nil }
                guard slot.name.count == key.bytes.count else { return nil }
                return slot.name.withUnsafeBufferPointer { memcmp($0.baseAddress!, key.bytes.baseAddress!, $0.count) == 0 }
                    ? slot.field : nil
            }
            i = (i + 1) & mask
        }
        return nil
    }
}
