#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Dense slots 0, 1, 2, … for names read from lines as bytes (function labels, instances,
/// payload texts), in order of first appearance. Consecutive lines mostly repeat a name, so
/// it is compared with the previous one's bytes first: no String is built or hashed per line.
public struct NameSlots: Sendable {
    /// The names, by slot.
    public private(set) var names: [String] = []
    private var slotOf: [String: Int] = [:]
    private var last = -1

    public init() {}

    public mutating func slot(_ bytes: UnsafeBufferPointer<UInt8>) -> (slot: Int, isNew: Bool) {
        if last >= 0, Self.same(names[last], bytes) { return (last, false) }
        return slot(String(decoding: bytes, as: UTF8.self))
    }

    public mutating func slot(_ name: String) -> (slot: Int, isNew: Bool) {
        if let known = slotOf[name] { last = known; return (known, false) }
        last = names.count
        slotOf[name] = last
        names.append(name)
        return (last, true)
    }

    /// Byte equality of a String and a buffer (memcmp; the generic elementsEqual is far slower).
    static func same(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var text = text
        return text.withUTF8 { t in t.count == bytes.count && (t.count == 0 || memcmp(t.baseAddress!, bytes.baseAddress!, t.count) == 0) }
    }
}
