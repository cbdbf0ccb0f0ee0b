/// The `k` best of many scored items, best first (ties by item number), without sorting them all:
/// a bounded min-heap, O(n log k).
struct TopK {
    /// The best `k` of `scores`: best first when `sorted`, else in no particular order (for a
    /// caller that only sums them up, which saves the final k log k).
    static func select(_ scores: some Sequence<(UInt32, Double)>, k: Int, sorted: Bool = true) -> [(item: UInt32, score: Double)] {
        guard k > 0 else { return [] }
        // heap[0] is the weakest kept entry.
        var heap: [(item: UInt32, score: Double)] = []
        heap.reserveCapacity(k)
        for (item, score) in scores {
            if heap.count < k {
                heap.append((item, score))
                siftUp(&heap, heap.count - 1)
            } else if better((item, score), than: heap[0]) {
                heap[0] = (item, score)
                siftDown(&heap, 0)
            }
        }
        if sorted { heap.sort { better($0, than: $1) } }
        return heap
    }
    /// Keeps the best `k` of `entries` by `better` (a strict total order), best first when
    /// `sorted`, else in no particular order: a selection by partitioning (quickselect with a
    /// median of three), O(n) plus k log k to sort, without a heap's log k per entry. `entries`
    /// keeps its capacity: copy a result that is kept.
    static func keepBest<Entry>(_ entries: inout [Entry], k: Int, sorted: Bool, by better: (Entry, Entry) -> Bool) {
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
    private static func siftUp(_ heap: inout [(item: UInt32, score: Double)], _ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard better(heap[parent], than: heap[child]) else { return }
            heap.swapAt(parent, child)
            child = parent
        }
    }
    private static func siftDown(_ heap: inout [(item: UInt32, score: Double)], _ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var weakest = left
            let right = left + 1
            if right < heap.count && better(heap[left], than: heap[right]) { weakest = right }
            guard better(heap[parent], than: heap[weakest]) else { return }
            heap.swapAt(parent, weakest)
            parent = weakest
        }
    }
}
