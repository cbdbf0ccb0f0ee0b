/// One customer's live profile: ids, traits, activity counters, recent events and consent.
public struct Profile: Sendable, Equatable {
    /// Canonical key: `u:<userId>` for known customers, `a:<anonymousId>` for anonymous ones.
    public var key: String
    public var userIds: [String]
    public var anonymousIds: [String]
    public var traits: [String: JSONValue]
    /// Earliest and latest event time seen.
    public var firstSeen: Millis
    public var lastSeen: Millis
    /// Events counted by name (track) or type (page, screen, identify, ...).
    public var eventCounts: [String: Int]
    /// The most recent events by event time, newest last, bounded.
    public var recentEvents: [RecentEvent]
    public var consent: Consent
    /// Real-time feature state (see ``FeatureState``).
    public var features: FeatureState
    /// Slots of the segments the profile is in (see ``SegmentSet``).
    public var segments: SegmentSlots
    /// Latest item interactions, oldest first (see ``ItemTouch``).
    public var items: [ItemTouch]

    public init(key: String, at time: Millis) {
        self.key = key
        self.userIds = []
        self.anonymousIds = []
        self.traits = [:]
        self.firstSeen = time
        self.lastSeen = time
        self.eventCounts = [:]
        self.recentEvents = []
        self.consent = Consent()
        self.features = FeatureState()
        self.segments = []
        self.items = []
    }

    /// The primary user id, if the customer is known.
    public var userId: String? { userIds.first }

    /// Whether the profile has never been identified.
    public var isAnonymous: Bool { userIds.isEmpty }

    /// All id keys (`u:`/`a:` prefixed) that resolve to this profile.
    public var idKeys: [String] {
        userIds.map { ProfileKey.user($0) } + anonymousIds.map { ProfileKey.anonymous($0) }
    }

    /// Total events counted.
    public var eventTotal: Int { eventCounts.values.reduce(0, +) }
}

/// An entry of a profile's recent-event list.
public struct RecentEvent: Sendable, Equatable {
    public var seq: Int64
    public var type: EventType
    public var name: String?
    public var timestamp: Millis

    public init(seq: Int64, type: EventType, name: String?, timestamp: Millis) {
        self.seq = seq
        self.type = type
        self.name = name
        self.timestamp = timestamp
    }
}

/// Prefixed identity keys, so a userId and an anonymousId with the same text never collide.
public enum ProfileKey {
    @inlinable public static func user(_ id: String) -> String { "u:" + id }
    @inlinable public static func anonymous(_ id: String) -> String { "a:" + id }
}
