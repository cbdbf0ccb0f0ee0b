import Synchronization

/// The live profiles, in memory, sharded by a stable hash of the key; each shard behind a `Mutex`.
///
/// Reads may come from any thread. Writes (``apply(_:)``, ``erase(key:)``) must come from a single
/// writer at a time — the ingest pipeline — which applies events in log order, so the state is
/// always the fold of the durable log and a replay after restart gives the same profiles.
public final class ProfileBook: Sendable {
    /// Tuning of the in-memory profile state.
    public struct Configuration: Sendable {
        /// How many recent events each profile keeps (default 20).
        public var recentEventLimit: Int
        /// Number of shards, rounded up to a power of two (default 64).
        public var shardCount: Int

        /// Which events are item interactions (default: the Segment e-commerce names).
        public var interactions: InteractionMapping
        /// Sessions the session model keeps (default 50,000): at least the people active within
        /// its 30-minute timeout, or their sessions are cut while still open.
        public var sessionCapacity: Int

        public init(
            recentEventLimit: Int = 20, shardCount: Int = 64, interactions: InteractionMapping = .standard, sessionCapacity: Int = 50_000
        ) {
            self.recentEventLimit = recentEventLimit
            self.shardCount = shardCount
            self.interactions = interactions
            self.sessionCapacity = sessionCapacity
        }
    }

    struct ShardState {
        var profiles: [String: Profile] = [:]
        /// Every id key (`u:`/`a:`) → the canonical key of its profile.
        var index: [String: String] = [:]
    }

    final class Shard: Sendable {
        let state = Mutex(ShardState())
    }

    let shards: [Shard]
    let shardMask: UInt64
    let recentEventLimit: Int
    let profileCounter = Atomic<Int>(0)
    let featureSet = Mutex(FeatureSet.empty)
    let segmentSet = Mutex(SegmentSet.empty)
    let segmentCounts = Mutex<[UInt16: Int]>([:])
    /// The recommendation models, fed as events are applied.
    public let recommender: Recommender

    public init(configuration: Configuration = Configuration()) {
        let count = Self.shardCount(configuration.shardCount)
        self.shards = (0..<count).map { _ in Shard() }
        self.shardMask = UInt64(count - 1)
        self.recentEventLimit = configuration.recentEventLimit
        self.recommender = Recommender(mapping: configuration.interactions, sessionCapacity: configuration.sessionCapacity)
    }

    /// Number of live profiles.
    public var count: Int { profileCounter.load(ordering: .relaxed) }

    // MARK: - Reads

    /// The profile a userId or anonymousId belongs to (userId tried first).
    public func profile(id: String) -> Profile? {
        profile(idKey: ProfileKey.user(id)) ?? profile(idKey: ProfileKey.anonymous(id))
    }

    /// The profile an id key (`u:…`/`a:…`) belongs to.
    public func profile(idKey: String) -> Profile? {
        read(idKey: idKey) { copy $0 }
    }

    /// The canonical key an id key resolves to.
    public func resolve(_ idKey: String) -> String? {
        shard(for: idKey).state.withLock { $0.index[idKey] }
    }

    /// Reads the profile an id key belongs to under its shard's lock, without copying it out
    /// (`nil` when the key is unknown). Keep `body` short: it holds the shard.
    public func read<Result: Sendable>(idKey: String, _ body: (borrowing Profile) -> Result) -> Result? {
        // A merge in progress may move a profile between the two lookups: look again.
        for _ in 0..<4 {
            guard let key = resolve(idKey) else { return nil }
            let result = shard(for: key).state.withLock { state -> Result? in
                guard let index = state.profiles.index(forKey: key) else { return nil }
                // Through the in-place (modify) accessor: the getter would copy the profile.
                return Self.lend(&state.profiles.values[index], to: body)
            }
            if let result { return result }
        }
        return nil
    }

    private static func lend<Result>(_ profile: inout Profile, to body: (borrowing Profile) -> Result) -> Result {
        body(profile)
    }

    /// Whether the person behind these ids allows `purpose` (granted when unknown).
    public func allows(_ purpose: String, userId: String?, anonymousId: String?) -> Bool {
        if let userId, let known = read(idKey: ProfileKey.user(userId), { $0.consent.allows(purpose) }) { return known }
        if let anonymousId, let known = read(idKey: ProfileKey.anonymous(anonymousId), { $0.consent.allows(purpose) }) {
            return known
        }
        return true
    }

    /// Calls `body` with every profile, shard by shard (a consistent view per shard only).
    public func forEach(_ body: (Profile) -> Void) {
        for shard in shards {
            let profiles = shard.state.withLock { Array($0.profiles.values) }
            profiles.forEach(body)
        }
    }

    // MARK: - Writes (single writer)

    /// The features in force.
    public var features: FeatureSet { featureSet.withLock { $0 } }

    /// Applies a stored event: resolves and merges identities, updates the profile and its
    /// features, and re-evaluates its segments. Returns the segment transitions it caused.
    @discardableResult
    public func apply(_ event: Event) -> [SegmentTransition] {
        apply(event, conditions: nil).transitions
    }

    /// Applies `event`; with `conditions`, also returns what rules see about the person right
    /// after it: the event, `profile.*` as far as asked, the segments' and the asked features,
    /// and the segments (`nil` for Kairos' own records, which change no membership).
    public func apply(
        _ event: Event, conditions: ConditionReads?
    ) -> (transitions: [SegmentTransition], context: EvaluationContext?) {
        var direct: [ModelObservation]? = nil
        return apply(event, conditions: conditions, deferringModels: &direct)
    }

    /// ``apply(_:conditions:)``; with `deferred` not nil, the shared recommendation models are not
    /// updated: what the event calls for is appended to `deferred`, for
    /// ``Recommender/apply(_:)`` in log order (the person's own item history is updated).
    public func apply(
        _ event: Event, conditions: ConditionReads?, deferringModels deferred: inout [ModelObservation]?
    ) -> (transitions: [SegmentTransition], context: EvaluationContext?) {
        let features = self.features
        let segments = self.segments
        let target = resolveIdentities(of: event, features: features)
        var transitions: [SegmentTransition] = []
        var context: EvaluationContext?
        let ownRecord = event.isSegmentRecord
        update(target) { profile in
            profile.firstSeen = min(profile.firstSeen, event.timestamp)
            profile.lastSeen = max(profile.lastSeen, event.timestamp)
            if event.type != .consent {
                profile.eventCounts[event.counterKey, default: 0] += 1
                insertRecent(
                    RecentEvent(seq: event.seq, type: event.type, name: event.name, timestamp: event.timestamp),
                    into: &profile.recentEvents)
            }
            if let traits = event.traits {
                for (name, value) in traits where name != "consent" { profile.traits[name] = value }
            }
            if let consent = event.consent { profile.consent.apply(consent, at: event.timestamp) }
            // Kairos' own segment records are history, not behaviour: nothing below sees them
            // (consent records update consent above, and may change memberships, but not features).
            guard !ownRecord else { return }
            if event.type != .consent && !features.features.isEmpty {
                let context = evaluationContext(event, profile, features)
                profile.features.update(time: event.timestamp, context: context, features: features)
            }
            if event.type == .track {
                recommender.observe(event, owner: profile.key, history: &profile.items, deferring: &deferred)
            }
            (transitions, context) = evaluateSegments(
                &profile, event: event, features: features, segments: segments, now: event.receivedAt, conditions: conditions)
        }
        count(transitions, segments: segments)
        return (transitions, context)
    }

    /// Removes a profile and all its ids; returns what was removed.
    @discardableResult
    public func erase(key: String) -> Profile? {
        guard let removed = shard(for: key).state.withLock({ $0.profiles.removeValue(forKey: key) }) else { return nil }
        profileCounter.subtract(1, ordering: .relaxed)
        uncount(removed)
        for idKey in removed.idKeys + [key] {
            shard(for: idKey).state.withLock { state in
                if state.index[idKey] == key { state.index.removeValue(forKey: idKey) }
            }
        }
        return removed
    }

    // MARK: - Internals

    /// `requested` rounded up to a power of two, so that a shard is found by masking a key's
    /// ``stableHash(_:)`` (shared by everything sharded by person).
    static func shardCount(_ requested: Int) -> Int {
        var count = 1
        while count < max(1, requested) { count <<= 1 }
        return count
    }

    @inline(__always)
    func shard(for key: String) -> Shard {
        shards[Int(Self.stableHash(key) & shardMask)]
    }

    /// FNV-1a over the UTF-8 bytes: stable across processes, so shards can later map to nodes.
    @inlinable
    public static func stableHash(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }

    /// ``stableHash(_:)`` through a finalising mix (MurmurHash3's `fmix64`), for a few of its bits:
    /// FNV-1a's own bits are poorly mixed for short keys (its lowest is the parity of the key's
    /// bytes, and its high bits follow the key's length). Stable across processes.
    @inlinable
    public static func mixedHash(_ key: String) -> UInt64 {
        var hash = stableHash(key)
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash &*= 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return hash
    }

    func update(_ key: String, _ body: (inout Profile) -> Void) {
        shard(for: key).state.withLock { state in
            // By index: `profiles[key] != nil` would copy the whole profile out to compare it.
            if let index = state.profiles.index(forKey: key) { body(&state.profiles.values[index]) }
        }
    }

    func insertRecent(_ event: RecentEvent, into list: inout [RecentEvent]) {
        Self.insert(event, into: &list, limit: recentEventLimit, time: \.timestamp)
    }

    /// Inserts into a list kept in time order (oldest first), keeping at most `limit` of the newest:
    /// an element older than all of a full list is not kept.
    static func insert<Element>(_ element: Element, into list: inout [Element], limit: Int, time: KeyPath<Element, Millis>) {
        guard limit > 0 else { return }
        var position = list.count
        while position > 0 && list[position - 1][keyPath: time] > element[keyPath: time] { position -= 1 }
        if list.count >= limit && position == 0 { return }
        list.insert(element, at: position)
        if list.count > limit { list.removeFirst(list.count - limit) }
    }
}
