/// The kind of an event, as named by the Segment tracking spec.
public enum EventType: String, Sendable, CaseIterable, Codable {
    case track, identify, page, screen, alias, group
    /// A consent change recorded by Kairos itself (from `PUT /v1/profiles/{id}/consent`, or
    /// from an event that withdrew `analytics` consent and so is kept only as a consent record).
    case consent

    /// The types a client may send.
    public static let external: [EventType] = [.track, .identify, .page, .screen, .alias, .group]
}
