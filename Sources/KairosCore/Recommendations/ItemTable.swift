/// A small open-addressing hash table from item numbers to values, for the per-decision score
/// tables: a multiplicative hash and linear probing instead of `Dictionary`'s seeded SipHash.
/// Items and values are kept densely in insertion order (the table holds their positions), so
/// reading them all back costs no lookups. Items are never removed.
struct ItemTable<Value> {
    /// Position in `items`/`values` + 1 per slot; 0 is an empty slot.
    private var slots: [Int32]
    /// Item numbers in insertion order.
    private(set) var items: [UInt32] = []
    /// Values, in the order of `items`.
    private(set) var values: [Value] = []

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        items.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    var count: Int { items.count }

    /// The slot of `item`: where it is, or the empty slot where it would go.
    @inline(__always)
    private func slot(of item: UInt32) -> Int {
        let mask = slots.count - 1
        var position = Int(truncatingIfNeeded: (UInt64(item) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
        while slots[position] != 0 && items[Int(slots[position]) - 1] != item { position = (position + 1) & mask }
        return position
    }

    /// The value of `item`, if present.
    subscript(item: UInt32) -> Value? {
        let position = slots[slot(of: item)]
        return position == 0 ? nil : values[Int(position) - 1]
    }

    /// Whether `item` is present.
    func contains(_ item: UInt32) -> Bool { slots[slot(of: item)] != 0 }

    /// Updates the value of `item` in place, inserting `initial` first when absent (evaluated
    /// only then).
    @inline(__always)
    mutating func update(_ item: UInt32, initial: @autoclosure () -> Value, _ change: (inout Value) -> Void) {
        if items.count * 2 >= slots.count { grow() }
        let slot = slot(of: item)
        if slots[slot] == 0 {
            items.append(item)
            values.append(initial())
            slots[slot] = Int32(items.count)
        }
        change(&values[Int(slots[slot]) - 1])
    }

    /// Inserts `item` with `value` when absent.
    mutating func insert(_ item: UInt32, _ value: @autoclosure () -> Value) { update(item, initial: value()) { _ in } }

    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        for (index, item) in items.enumerated() { slots[slot(of: item)] = Int32(index + 1) }
    }
}

extension ItemTable where Value == Void {
    /// Inserts `item` when absent (a set of items).
    mutating func insert(_ item: UInt32) { insert(item, ()) }
}
