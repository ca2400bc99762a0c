/// Dense slots 0, 1, 2, … for keys in order of first appearance, for per-key tallies kept
/// in arrays. Records come in runs of one key (one phase, one memory size, one payload at a
/// time), so the dictionary is consulted only when the key changes: a lookup per record
/// would cost more than the tally itself over a million records.
struct SlotIndex<Key: Hashable> {
    private var slotOf: [Key: Int] = [:]
    /// The keys, by slot.
    private(set) var keys: [Key] = []
    private var last: (key: Key, slot: Int)?

    /// The key's slot, and whether it is new (the caller then appends that slot's tally).
    mutating func slot(_ key: Key) -> (slot: Int, isNew: Bool) {
        if let last, last.key == key { return (last.slot, false) }
        var isNew = false
        let slot: Int
        if let known = slotOf[key] { slot = known } else {
            slot = keys.count
            slotOf[key] = slot
            keys.append(key)
            isNew = true
        }
        last = (key, slot)
        return (slot, isNew)
    }
}
