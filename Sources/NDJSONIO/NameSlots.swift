#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Dense slots 0, 1, 2, … for names read from lines as bytes (function labels, instances,
/// payload texts), in order of first appearance. Consecutive lines mostly repeat a name, so
/// it is compared with the previous one's bytes first: no String is built or hashed per line.
public struct NameSlots: Sendable {
    private var index = SlotIndex<String>()
    /// The names, by slot.
    public var names: [String] { index.keys }

    public init() {}

    public mutating func slot(_ bytes: UnsafeBufferPointer<UInt8>) -> (slot: Int, isNew: Bool) {
        if let last = index.lastSlot, Self.same(index.keys[last], bytes) { return (last, false) }
        return index.slot(String(decoding: bytes, as: UTF8.self))
    }

    public mutating func slot(_ name: String) -> (slot: Int, isNew: Bool) { index.slot(name) }

    /// Byte equality of a String and a buffer (memcmp; the generic elementsEqual is far slower).
    static func same(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var text = text
        return text.withUTF8 { t in t.count == bytes.count && (t.count == 0 || memcmp(t.baseAddress!, bytes.baseAddress!, t.count) == 0) }
    }
}
