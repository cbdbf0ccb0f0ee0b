import Synchronization

/// Something that happened between a person and an offer, remembered for suppression rules.
public struct ActionTouch: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// The offer was given out by a decision.
        case impression
        /// A positive response (click, acceptance, or the offer's own positive events).
        case positive
        case dismissed
        case accepted
    }

    public var offer: String
    public var kind: Kind
    public var time: Millis

    public init(offer: String, kind: Kind, time: Millis) {
        self.offer = offer
        self.kind = kind
        self.time = time
    }
}

/// Every person's recent history with offers, in memory, sharded by person key like the
/// profiles; each shard behind a `Mutex`. Kept for ``retention`` and at most
/// ``maximumPerPerson`` entries a person.
public final class ActionHistory: Sendable {
    final class Shard: Sendable {
        let touches = Mutex<[String: [ActionTouch]]>([:])
    }

    /// How long touches are kept (90 days): suppression rules look back at most this far.
    public static let retention: Millis = 90 * 86_400_000
    public static let maximumPerPerson = 256
    let shards: [Shard]
    let shardMask: UInt64

    /// `shardCount` is rounded up to a power of two, as the profiles' is.
    public init(shardCount: Int = 64) {
        let count = ProfileBook.shardCount(shardCount)
        shards = (0..<count).map { _ in Shard() }
        shardMask = UInt64(count - 1)
    }

    /// The person's shard, by the same stable hash as their profile's.
    private func shard(_ person: String) -> Shard {
        shards[Int(ProfileBook.stableHash(person) & shardMask)]
    }

    /// The person's touches, oldest first.
    public func touches(of person: String) -> [ActionTouch] {
        shard(person).touches.withLock { $0[person] ?? [] }
    }

    /// Adds touches (in time order or not), dropping what is past retention or over the cap.
    public func record(_ new: [ActionTouch], for person: String, now: Millis) {
        guard !new.isEmpty else { return }
        shard(person).touches.withLock { all in
            var list = all[person] ?? []
            list += new
            if list.count > 1, zip(list, list.dropFirst()).contains(where: { $0.time > $1.time }) {
                list.sort { $0.time < $1.time }
            }
            let horizon = now - Self.retention
            if let first = list.first, first.time < horizon { list.removeAll { $0.time < horizon } }
            if list.count > Self.maximumPerPerson { list.removeFirst(list.count - Self.maximumPerPerson) }
            all[person] = list
        }
    }

    /// Forgets a person (erasure).
    public func erase(_ person: String) {
        _ = shard(person).touches.withLock { $0.removeValue(forKey: person) }
    }

    /// People with a history.
    public var people: Int { shards.reduce(0) { $0 + $1.touches.withLock { $0.count } } }
}
