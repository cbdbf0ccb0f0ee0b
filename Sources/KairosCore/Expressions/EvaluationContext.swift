/// What an expression can see when evaluated. Cheap to build; paths resolve lazily.
public struct EvaluationContext: Sendable {
    /// The normalised event object: `type`, `event` (track name), `name` (page/screen name), `userId`,
    /// `anonymousId`, `properties`, `context`, `traits`, `timestamp` (ISO string), ...
    public var event: JSONValue? {
        didSet { eventName = nil }  // it described the previous event
    }
    /// `event.name` of a track event, preferred over looking it up in `event` (set from a stored
    /// event by ``init(_:now:)``; cleared when `event` is replaced).
    public internal(set) var eventName: String?
    /// `event.timestamp` as milliseconds; preferred over parsing the event's `timestamp` string.
    public var eventTimestamp: Millis?
    /// The profile object: `userId`, `traits`, `eventCounts`, `firstSeen`, `lastSeen` (ISO strings), ...
    public var profile: JSONValue?
    /// The catalog item being ranked (`id`, `title`, `category`, `tags`, `price`, `available`,
    /// `attributes`, ...), in placement filters and rules.
    public var item: JSONValue?
    /// Current feature values by name.
    public var features: [String: ExpressionValue]
    /// Names of the segments the profile belongs to.
    public var segments: [String]
    /// The evaluation time (`now`), in milliseconds since the Unix epoch.
    public var now: Millis

    /// A context; only `now` is required, everything else defaults to absent or empty.
    public init(
        event: JSONValue? = nil, eventTimestamp: Millis? = nil, profile: JSONValue? = nil,
        features: [String: ExpressionValue] = [:], segments: [String] = [], now: Millis
    ) {
        self.event = event
        self.eventTimestamp = eventTimestamp
        self.profile = profile
        self.item = nil
        self.features = features
        self.segments = segments
        self.now = now
    }
}
