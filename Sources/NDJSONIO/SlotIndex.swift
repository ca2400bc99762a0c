/// Dense slots 0, 1, 2, … for keys in order of first appearance, for per-key tallies kept
/// in arrays. Records come in runs of one key (one phase, one memory size, one payload at a
/// time), so the dictionary is consulted only when the key changes: a lookup per record
/// would cost more than the tally itself over a million records. Inlinable, so callers in
/// other modules get it specialized for their key type.
public struct SlotIndex<Key: Hashable> {
    @usableFromInline var slotOf: [Key: Int] = [:]
    @usableFromInline var keyList: [Key] = []
    /// The keys, by slot.
    @inlinable public var keys: [Key] { keyList }
    @usableFromInline var last: (key: Key, slot: Int)?
    /// The slot of the key looked up last.
    @inlinable public var lastSlot: Int? { last?.slot }

    @inlinable public init() {}

    /// The key's slot, and whether it is new (the caller then appends that slot's tally).
    @inlinable public mutating func slot(_ key: Key) -> (slot: Int, isNew: Bool) {
        if let last, last.key == key { return (last.slot, false) }
        var isNew = false
        let slot: Int
        if let known = slotOf[key] {
            slot = known
        } else {
            slot = keyList.count
            slotOf[key] = slot
            keyList.append(key)
            isNew = true
        }
        last = (key, slot)
        return (slot, isNew)
    }
}

extension SlotIndex: Sendable where Key: Sendable {}
