/// A small open-addressing hash table from item numbers to values, for the per-decision score
/// tables: a multiplicative hash and linear probing instead of `Dictionary`'s seeded SipHash, and
/// one allocation for keys and one for values. Items are never removed.
struct ItemTable<Value> {
    private var keys: [UInt32]
    private var values: [Value]
    private var mask: Int
    private var used: [Bool]
    /// Item numbers in insertion order.
    private(set) var items: [UInt32] = []

    init(capacity: Int, empty: Value) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = Array(repeating: 0, count: size)
        values = Array(repeating: empty, count: size)
        used = Array(repeating: false, count: size)
        mask = size - 1
        items.reserveCapacity(capacity)
    }

    var count: Int { items.count }

    @inline(__always)
    private func slot(of item: UInt32) -> Int {
        var position = Int(truncatingIfNeeded: (UInt64(item) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
        while used[position] && keys[position] != item { position = (position + 1) & mask }
        return position
    }

    /// The value of `item`, if present.
    subscript(item: UInt32) -> Value? {
        let position = slot(of: item)
        return used[position] ? values[position] : nil
    }

    /// Updates the value of `item` in place, inserting `initial` first when absent.
    @inline(__always)
    mutating func update(_ item: UInt32, initial: Value, _ change: (inout Value) -> Void) {
        if items.count * 2 >= keys.count { grow() }
        let position = slot(of: item)
        if !used[position] {
            used[position] = true
            keys[position] = item
            values[position] = initial
            items.append(item)
        }
        change(&values[position])
    }

    private mutating func grow() {
        let old = (keys: keys, values: values, used: used)
        let size = keys.count * 2
        keys = Array(repeating: 0, count: size)
        values = Array(repeating: old.values[0], count: size)
        used = Array(repeating: false, count: size)
        mask = size - 1
        for position in old.keys.indices where old.used[position] {
            let target = slot(of: old.keys[position])
            used[target] = true
            keys[target] = old.keys[position]
            values[target] = old.values[position]
        }
    }

    /// Every (item, value), in insertion order.
    var entries: [(item: UInt32, value: Value)] { items.map { ($0, self[$0]!) } }
}
