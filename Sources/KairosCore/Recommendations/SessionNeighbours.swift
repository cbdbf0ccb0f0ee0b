import Synchronization

/// Session-based k-nearest neighbours (Ludewig & Jannach, "Evaluation of session-based
/// recommendation algorithms", 2018): the items of the current session are matched against recent
/// sessions of other people; items that appeared in the most similar sessions are recommended.
/// Keeps the last ``capacity`` sessions in a ring and, per item, the sessions that hold it.
public final class SessionNeighbours: Sendable {
    /// Inactivity that ends a session.
    public static let timeout: Millis = 30 * 60_000
    static let itemsPerSession = 30
    static let sessionsPerItem = 100
    /// Neighbour sessions considered per request.
    static let neighbourCount = 100

    struct Session {
        var owner: String
        var items: [UInt32]
        var last: Millis
    }

    /// What a scan of the postings reads of a ring slot, without touching the session itself
    /// (reading it would retain its owner and items): plain numbers, kept in step with `ring`.
    /// The slot's generation is kept here only.
    struct SlotSummary {
        /// The session's generation; 0 for an empty slot (generations start at 1).
        var generation: UInt32 = 0
        /// How many items the session holds.
        var count: UInt32 = 0
        /// ``SessionNeighbours/ownerHash(_:)`` of the session's owner.
        var ownerHash: UInt64 = 0
    }

    struct State {
        var ring: [Session?]
        var summaries: [SlotSummary]
        var next = 0
        var generation: UInt32 = 0
        var open: [String: Int] = [:]
        /// Sessions evicted while still open: more people were active within ``timeout`` than the
        /// ring holds, so a session was cut in two (its person's next item starts a new one).
        var cutOpen = 0
        /// Item → (ring slot, generation) of sessions holding it, most recent last.
        var index: [UInt32: [(slot: Int32, generation: UInt32)]] = [:]
    }

    private let state: Mutex<State>
    public let capacity: Int

    /// A ring of `capacity` sessions (at least one).
    public init(capacity: Int = 50_000) {
        self.capacity = max(1, capacity)
        state = Mutex(
            State(
                ring: Array(repeating: nil, count: self.capacity),
                summaries: Array(repeating: SlotSummary(), count: self.capacity)))
    }

    /// Adds a positive interaction to `owner`'s current session (opening one when needed).
    public func observe(owner: String, item: UInt32, time: Millis) {
        state.withLock { state in
            var slot = state.open[owner]
            // Fields read in place: binding the session would copy it (and retain its parts).
            if let current = slot, let last = state.ring[current]?.last, state.ring[current]?.owner == owner,
                Self.isOpen(last: last, at: time)
            {
                state.ring[current]!.last = max(last, time)
                if state.ring[current]!.items.contains(item) || state.ring[current]!.items.count >= Self.itemsPerSession { return }
            } else {
                // A new session, in the ring's oldest slot; the session there leaves the index.
                let fresh = state.next
                state.next = (state.next + 1) % capacity
                let evictedGeneration = state.summaries[fresh].generation
                if let evicted = state.ring[fresh] {
                    if state.open[evicted.owner] == fresh {
                        state.open[evicted.owner] = nil
                        if Self.isOpen(last: evicted.last, at: time) { state.cutOpen += 1 }
                    }
                    for item in evicted.items {
                        state.index[item]?.removeAll { $0.slot == Int32(fresh) && $0.generation == evictedGeneration }
                        if state.index[item]?.isEmpty == true { state.index[item] = nil }
                    }
                }
                // Never 0, which marks an empty slot's summary.
                state.generation = state.generation == UInt32.max ? 1 : state.generation + 1
                state.ring[fresh] = Session(owner: owner, items: [], last: time)
                state.summaries[fresh] = SlotSummary(generation: state.generation, count: 0, ownerHash: Self.ownerHash(owner))
                state.open[owner] = fresh
                slot = fresh
            }
            let current = slot!
            state.ring[current]!.items.append(item)
            state.summaries[current].count += 1
            state.ring[current]!.last = max(state.ring[current]!.last, time)
            // In place (the `default:` subscript modifies the stored list; no copy out and back).
            Self.post((Int32(current), state.summaries[current].generation), to: &state.index[item, default: []])
        }
    }

    /// Whether a session last active at `last` is still open for an interaction at `time`
    /// (interactions may arrive out of order, so either side of `last`).
    static func isOpen(last: Millis, at time: Millis) -> Bool {
        time - last <= timeout && time >= last - timeout
    }

    /// Adds a session to an item's postings, keeping the most recent ``sessionsPerItem`` (trimmed
    /// once half as many again have piled up).
    static func post(_ entry: (slot: Int32, generation: UInt32), to postings: inout [(slot: Int32, generation: UInt32)]) {
        postings.append(entry)
        if postings.count > sessionsPerItem * 3 / 2 { postings.removeFirst(postings.count - sessionsPerItem) }
    }

    /// Items that followed `items` (the current session, oldest first) in similar sessions of
    /// other people, with their scores, best first.
    public func recommend(for items: [UInt32], owner: String, limit: Int) -> [(item: UInt32, score: Double)] {
        guard !items.isEmpty else { return [] }
        var current = ItemTable<Void>(capacity: items.count)
        for item in items { current.insert(item) }
        let ownerHash = Self.ownerHash(owner)
        // Under the lock: the overlap of each candidate session with the current one (recent items
        // weigh more), read from the slots' summaries; then the most similar (ties by slot), whose
        // items alone are taken out (shared, not copied). The scoring runs after.
        let neighbours = state.withLock { state -> [(similarity: Double, items: [UInt32])] in
            var overlap = ItemTable<Double>(capacity: 256)
            state.summaries.withUnsafeBufferPointer { summaries in
                for (position, item) in items.enumerated() {
                    let recency = Double(position + 1) / Double(items.count)
                    state.index[item]?.withUnsafeBufferPointer { postings in
                        for posting in postings.suffix(Self.sessionsPerItem) {
                            let slot = Int(posting.slot)
                            let summary = summaries[slot]
                            guard summary.generation == posting.generation else { continue }
                            // The owner's own sessions stay out (the text compared only when the hashes agree).
                            if summary.ownerHash == ownerHash && state.ring[slot]?.owner == owner { continue }
                            overlap.update(UInt32(slot), initial: 0) { $0 += recency }
                        }
                    }
                }
            }
            var scored = zip(overlap.items, overlap.values).map { slot, shared in
                (slot: slot, similarity: shared / (Double(current.count) * Double(state.summaries[Int(slot)].count)).squareRoot())
            }
            // In order: their scores are summed in this order.
            TopK.keepBest(&scored, k: Self.neighbourCount, sorted: true) { ($0.slot, $0.similarity) }
            return scored.map { ($0.similarity, state.ring[Int($0.slot)]!.items) }
        }
        var scores = ItemTable<Double>(capacity: 1024)
        for neighbour in neighbours {
            for item in neighbour.items where !current.contains(item) {
                scores.update(item, initial: 0) { $0 += neighbour.similarity }
            }
        }
        return TopK.select(zip(scores.items, scores.values), k: limit)
    }

    /// A person's key hashed for the slot summaries: Swift's own string hash, which agrees with
    /// `==` (keys equal as strings, in any Unicode spelling, hash alike). Seeded per process, as
    /// the summaries live in memory only.
    static func ownerHash(_ owner: String) -> UInt64 {
        UInt64(bitPattern: Int64(owner.hashValue))
    }

    /// How many sessions of the ring the index lists for `item` (an evicted session leaves it).
    func postingCount(of item: UInt32) -> Int { state.withLock { $0.index[item]?.count ?? 0 } }

    /// Sessions evicted from the ring while still open, since start.
    public var cutOpen: Int { state.withLock { $0.cutOpen } }

    /// Estimated bytes and sessions held.
    func footprint() -> (bytes: Int, count: Int) {
        state.withLock { state in
            var bytes = ModelFootprint.array(state.ring.count, stride: MemoryLayout<Session?>.stride)
            bytes += ModelFootprint.array(state.summaries.count, stride: MemoryLayout<SlotSummary>.stride)
            var count = 0
            for case let session? in state.ring {
                count += 1
                bytes += ModelFootprint.string(session.owner) - 16 + ModelFootprint.array(session.items.count, stride: 4)
            }
            bytes += ModelFootprint.table(state.open.count, entry: 24)
            bytes += ModelFootprint.table(state.index.count, entry: 12)
            for postings in state.index.values { bytes += ModelFootprint.array(postings.count, stride: 8) }
            return (bytes, count)
        }
    }
}
