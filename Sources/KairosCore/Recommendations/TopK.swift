/// The `k` best of many scored items, best first (ties by lower item number), without sorting them
/// all: a selection by partitioning (quickselect with a median of three), O(n), then a sort of the
/// `k` kept when asked for.
struct TopK {
    /// The best `k` of `scores`: best first when `sorted`, else in no particular order (for a
    /// caller that only sums them up, which saves the final k log k).
    static func select(_ scores: some Sequence<(UInt32, Double)>, k: Int, sorted: Bool = true) -> [(item: UInt32, score: Double)] {
        var entries = scores.map { (item: $0.0, score: $0.1) }
        keepBest(&entries, k: k, sorted: sorted) { $0 }
        return entries
    }

    /// Keeps the best `k` of `entries` by the item and score `key` gives each (higher score first,
    /// equal scores by lower item number: items must be distinct), best first when `sorted`, else
    /// in no particular order. `entries` keeps its capacity: copy a result that is kept.
    static func keepBest<Entry>(
        _ entries: inout [Entry], k: Int, sorted: Bool, by key: (Entry) -> (item: UInt32, score: Double)
    ) {
        func better(_ a: Entry, _ b: Entry) -> Bool { TopK.better(key(a), than: key(b)) }
        guard k > 0 else { return entries.removeAll() }
        if k < entries.count {
            entries.withUnsafeMutableBufferPointer { buffer in
                // Until position k - 1 holds the k-th best, with better ones before it.
                let target = k - 1
                var low = 0
                var high = buffer.count - 1
                while low < high {
                    let middle = low + (high - low) / 2
                    if better(buffer[middle], buffer[low]) { buffer.swapAt(middle, low) }
                    if better(buffer[high], buffer[low]) { buffer.swapAt(high, low) }
                    if better(buffer[high], buffer[middle]) { buffer.swapAt(high, middle) }
                    let pivot = buffer[middle]
                    var left = low
                    var right = high
                    while left <= right {
                        while better(buffer[left], pivot) { left += 1 }
                        while better(pivot, buffer[right]) { right -= 1 }
                        if left <= right {
                            buffer.swapAt(left, right)
                            left += 1
                            right -= 1
                        }
                    }
                    if target <= right {
                        high = right
                    } else if target >= left {
                        low = left
                    } else {
                        break
                    }
                }
            }
            entries.removeLast(entries.count - k)
        }
        if sorted { entries.sort(by: better) }
    }

    /// Higher score first; equal scores by lower item number.
    @inline(__always)
    static func better(_ a: (item: UInt32, score: Double), than b: (item: UInt32, score: Double)) -> Bool {
        a.score > b.score || (a.score == b.score && a.item < b.item)
    }
}
