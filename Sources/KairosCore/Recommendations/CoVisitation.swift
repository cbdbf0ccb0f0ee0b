import Synchronization

/// Item-to-item collaborative filtering, updated online: two items are related when the same
/// people interact with both within a week. Pair weights and item masses decay with time
/// (``ForwardDecay``, τ = 30 days); similarity is the cosine `C(i,j) / √(M(i)·M(j))`, with a small
/// shrinkage so that one shared visitor does not make two rare items twins. Each item keeps at
/// most ``neighbourCap`` neighbours, the strongest.
public final class CoVisitation: Sendable {
    public static let neighbourCap = 200
    /// Pairs further apart than this in one history are not counted.
    public static let pairWindow: Millis = 7 * 86_400_000
    /// Landmark at start-up: a Double holds the scale for about 58 years of event time either side.
    let decay = ForwardDecay(tau: 30 * 86_400_000, landmark: Timestamp.now())
    /// Added to the cosine's denominator (in units of decayed interactions at now).
    static let shrinkage = 2.0

    struct Shard {
        var neighbours: [UInt32: [UInt32: Double]] = [:]
        /// Ranked neighbour lists computed for decisions, reused until the item's pairs change or
        /// ``rankedMaxAge`` passes (neighbours' masses move slowly); at most ``rankedCap`` per shard.
        var ranked: [UInt32: Ranked] = [:]
    }

    /// A ranked neighbour list as decisions read it (a reference: handing it out copies nothing).
    final class Ranked: Sendable {
        let items: [UInt32]
        let similarities: [Float]
        let computedAt: Millis

        init(_ list: [(item: UInt32, similarity: Double)], at time: Millis) {
            items = list.map(\.item)
            similarities = list.map { Float($0.similarity) }
            computedAt = time
        }
    }

    /// Length of the ranked lists kept (the longest any source asks for).
    static let rankedLength = 50
    static let rankedMaxAge: Millis = 120_000
    static let rankedCap = 4_096

    final class Lock: Sendable {
        let state = Mutex(Shard())
    }

    private let shards: [Lock] = (0..<32).map { _ in Lock() }
    /// Time of the latest interaction observed.
    private let latest = Atomic<Int64>(0)
    /// Decayed interaction mass per item number (one array: read once per request).
    private let mass = Mutex<[Double]>([])

    public init() {}

    @inline(__always)
    private func shard(_ item: UInt32) -> Lock { shards[Int(item & 31)] }

    /// Folds a positive interaction with `item` into the model, pairing it with the person's
    /// earlier positive interactions (`history`, oldest first, not yet holding this one).
    public func observe(item: UInt32, weight: Float, time: Millis, history: [ItemTouch]) {
        latest.max(time, ordering: .relaxed)
        let scale = decay.scale(time)
        mass.withLock { mass in
            if Int(item) >= mass.count { mass.append(contentsOf: repeatElement(0, count: Int(item) + 1 - mass.count)) }
            mass[Int(item)] += scale * Double(weight)
        }
        // The items already paired (at most the 10 nearest and the item itself): a short list on
        // the stack, not a set on the heap.
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 11) { seen in
            seen[0] = item
            var distance = 0
            for touch in history.reversed() where touch.kind == .positive {
                guard abs(time - touch.time) <= Self.pairWindow, !seen[0...distance].contains(touch.item) else { continue }
                let pair = scale * Double(min(weight, touch.weight)) / (1 + 0.3 * Double(distance))
                add(pair, from: touch.item, to: item)
                add(pair, from: item, to: touch.item)
                distance += 1
                seen[distance] = touch.item
                if distance >= 10 { break }
            }
        }
    }

    private func add(_ amount: Double, from: UInt32, to: UInt32) {
        shard(from).state.withLock { shard in
            shard.ranked.removeValue(forKey: from)
            // In place (the `default:` subscript modifies the stored list; no copy out and back).
            Self.accumulate(amount, to: to, in: &shard.neighbours[from, default: [:]])
        }
    }

    /// Adds to one neighbour's weight, keeping the heaviest ``neighbourCap`` once half as many again
    /// have piled up.
    static func accumulate(_ amount: Double, to item: UInt32, in list: inout [UInt32: Double]) {
        list[item, default: 0] += amount
        if list.count > neighbourCap * 3 / 2 {
            let kept = list.sorted { $0.value > $1.value }.prefix(neighbourCap)
            list = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
        }
    }

    /// The most similar items to `item` at `now`, best first (from the ranked list of a recent
    /// decision when there is one).
    public func neighbours(of item: UInt32, limit: Int, now: Millis) -> [(item: UInt32, similarity: Double)] {
        guard limit <= Self.rankedLength else { return computeNeighbours(of: item, limit: limit, now: now) }
        var result: [(item: UInt32, similarity: Double)] = []
        result.reserveCapacity(limit)
        forEachNeighbour(of: item, limit: limit, now: now) { result.append(($0, $1)) }
        return result
    }

    /// Calls `body` with the (at most ``rankedLength``) most similar items to `item`, best first,
    /// without building a list.
    func forEachNeighbour(of item: UInt32, limit: Int, now: Millis, _ body: (UInt32, Double) -> Void) {
        let cached = shard(item).state.withLock { shard -> Ranked? in
            guard let ranked = shard.ranked[item], abs(now - ranked.computedAt) <= Self.rankedMaxAge else { return nil }
            return ranked
        }
        let ranked: Ranked
        if let cached {
            ranked = cached
        } else {
            ranked = Ranked(computeNeighbours(of: item, limit: Self.rankedLength, now: now), at: now)
            shard(item).state.withLock { shard in
                if shard.ranked.count >= Self.rankedCap { shard.ranked.removeAll(keepingCapacity: true) }
                shard.ranked[item] = ranked
            }
        }
        let count = min(limit, Self.rankedLength, ranked.items.count)
        ranked.items.withUnsafeBufferPointer { items in
            ranked.similarities.withUnsafeBufferPointer { similarities in
                for position in 0..<count { body(items[position], Double(similarities[position])) }
            }
        }
    }

    private func computeNeighbours(of item: UInt32, limit: Int, now: Millis) -> [(item: UInt32, similarity: Double)] {
        // Copied out under the lock (the writer's next change then needs no copy of its own).
        let pairs = shard(item).state.withLock { shard -> [(item: UInt32, together: Double)] in
            shard.neighbours[item].map { $0.map { ($0.key, $0.value) } } ?? []
        }
        guard !pairs.isEmpty else { return [] }
        let masses = mass.withLock { mass in
            (own: Int(item) < mass.count ? mass[Int(item)] : 0, others: pairs.map { Int($0.item) < mass.count ? mass[Int($0.item)] : 0 })
        }
        guard masses.own > 0 else { return [] }
        // The shrinkage is in units of interactions at the present of the data: the request's time,
        // or the latest interaction when the data is older (a replayed history), so that old data
        // is not all shrunk to nothing.
        let latestSeen = latest.load(ordering: .relaxed)
        let scale = decay.scale(latestSeen > 0 ? min(now, latestSeen) : now)
        var result: [(item: UInt32, similarity: Double)] = []
        result.reserveCapacity(pairs.count)
        for (position, pair) in pairs.enumerated() where masses.others[position] > 0 {
            let similarity = pair.together / ((masses.own * masses.others[position]).squareRoot() + Self.shrinkage * scale)
            result.append((pair.item, similarity))
        }
        TopK.keepBest(&result, k: limit, sorted: true) { ($0.item, $0.similarity) }
        return result
    }

    /// Estimated bytes, items with neighbours and stored pairs.
    func footprint() -> (bytes: Int, items: Int, pairs: Int) {
        var bytes = mass.withLock { ModelFootprint.array($0.count, stride: 8) }
        var items = 0
        var pairs = 0
        for shard in shards {
            shard.state.withLock { state in
                items += state.neighbours.count
                bytes += ModelFootprint.table(state.neighbours.count, entry: 12)
                bytes += ModelFootprint.table(state.ranked.count, entry: 12) + state.ranked.count * (48 + 64 + Self.rankedLength * 8)
                for list in state.neighbours.values {
                    pairs += list.count
                    bytes += ModelFootprint.table(list.count, entry: 12)
                }
            }
        }
        return (bytes, items, pairs)
    }
}
