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
        var iterator = scores.makeIterator()
        while heap.count < k, let (item, score) = iterator.next() { heap.append((item, score)) }
        heap.withUnsafeMutableBufferPointer { heap in
            // Floyd's heap construction, then one comparison with the weakest per further item.
            for start in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(heap, start, count: heap.count) }
            while let (item, score) = iterator.next() {
                guard better((item, score), than: heap[0]) else { continue }
                heap[0] = (item, score)
                siftDown(heap, 0, count: heap.count)
            }
            guard sorted else { return }
            // Heap sort in place: the weakest goes to the end, one at a time.
            var end = heap.count - 1
            while end > 0 {
                heap.swapAt(0, end)
                siftDown(heap, 0, count: end)
                end -= 1
            }
        }
        return heap
    }

    /// Higher score first; equal scores by lower item number.
    @inline(__always)
    static func better(_ a: (item: UInt32, score: Double), than b: (item: UInt32, score: Double)) -> Bool {
        a.score > b.score || (a.score == b.score && a.item < b.item)
    }

    @inline(__always)
    private static func siftDown(_ heap: UnsafeMutableBufferPointer<(item: UInt32, score: Double)>, _ start: Int, count: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            var weakest = left
            let right = left + 1
            if right < count && better(heap[left], than: heap[right]) { weakest = right }
            guard better(heap[parent], than: heap[weakest]) else { return }
            heap.swapAt(parent, weakest)
            parent = weakest
        }
    }
}
