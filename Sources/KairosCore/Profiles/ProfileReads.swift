/// How much of the profile a set of expressions reads as `profile.*`: building the full object
/// (counters, times, consent) on every event costs more than the rules themselves.
public enum ProfileReads: Sendable, Comparable {
    /// No `profile.*` path.
    case none
    /// Only the ids and traits.
    case traits
    /// Counters, first and last seen, consent as well.
    case full

    /// What the expressions with these sources read: only a source that names `profile` reads it
    /// (`event.type == "consent"` reads none of it).
    public init(of sources: [String]) {
        let reading = sources.filter { $0.contains("profile") }
        if reading.contains(where: Self.readsDetails) {
            self = .full
        } else if !reading.isEmpty {
            self = .traits
        } else {
            self = .none
        }
    }

    /// Whether a source that reads the profile may read more of it than its ids and traits.
    static func readsDetails(_ source: String) -> Bool {
        ["eventCounts", "eventTotal", "firstSeen", "lastSeen", "consent", "profile["].contains { source.contains($0) }
    }
}

/// What a set of rules reads about the person besides the event: given to
/// `ProfileBook.apply(_:conditions:)`, which then hands back the context the profile's segments
/// were evaluated in, with these reads added (one context per event instead of two).
public struct ConditionReads: Sendable {
    public var profile: ProfileReads
    public var features: FeatureSelection
    /// Whether the rules read `segments` (the names are then gathered).
    public var segments: Bool

    public init(profile: ProfileReads, features: FeatureSelection, segments: Bool = true) {
        self.profile = profile
        self.features = features
        self.segments = segments
    }
}
