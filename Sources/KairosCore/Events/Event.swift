/// One event, validated and normalised: what the store keeps and profiles are derived from.
public struct Event: Sendable, Equatable {
    /// Position in the durable log; 0 until stored.
    public var seq: Int64
    /// Client-chosen (or generated) id that makes retries harmless.
    public var messageId: String
    public var type: EventType
    /// `event` for track, `name` for page and screen.
    public var name: String?
    public var userId: String?
    public var anonymousId: String?
    /// The id being aliased (alias events).
    public var previousId: String?
    public var groupId: String?
    /// Event time after clock-skew correction.
    public var timestamp: Millis
    /// When Kairos received it.
    public var receivedAt: Millis
    /// Traits to merge into the profile (identify traits).
    public var traits: [String: JSONValue]?
    /// Consent choices carried by the event, by purpose.
    public var consent: [String: Bool]?
    /// The decision this event is an outcome of (`properties.decisionId`): a click, a purchase or
    /// a dismissal of what `/v1/decide` answered.
    public var decisionId: String?
    /// The normalised event as compact JSON, as stored and exported.
    public var body: [UInt8]
    /// The normalised event as a JSON tree, when at hand (set on ingest; on replay only when
    /// some expression needs the event's properties).
    public var json: JSONValue?

    public init(
        seq: Int64 = 0, messageId: String, type: EventType, name: String? = nil, userId: String? = nil,
        anonymousId: String? = nil, previousId: String? = nil, groupId: String? = nil, timestamp: Millis,
        receivedAt: Millis, traits: [String: JSONValue]? = nil, consent: [String: Bool]? = nil, body: [UInt8] = []
    ) {
        self.seq = seq
        self.messageId = messageId
        self.type = type
        self.name = name
        self.userId = userId
        self.anonymousId = anonymousId
        self.previousId = previousId
        self.groupId = groupId
        self.timestamp = timestamp
        self.receivedAt = receivedAt
        self.traits = traits
        self.consent = consent
        self.body = body
        self.json = nil
    }

    /// The key counted in a profile's per-type counters: the event name for track, else the type.
    public var counterKey: String {
        if type == .track, let name { return name }
        return type.rawValue
    }

    /// Whether this is a `Segment Entered` / `Segment Exited` record written by Kairos itself
    /// (such records do not re-evaluate segments).
    public var isSegmentRecord: Bool { messageId.hasPrefix(Self.segmentRecordPrefix) }

    /// The messageId prefix of Kairos' own segment records (refused in events sent to Kairos).
    public static let segmentRecordPrefix = "segment:"

    /// The record of a segment transition, stored in the log like any event. Its stored body is
    /// empty: everything in it is in the row's columns, and ``segmentRecordJSON(messageId:name:userId:anonymousId:timestamp:receivedAt:)``
    /// rebuilds it when the row is read.
    public static func segmentRecord(_ transition: SegmentTransition, receivedAt: Millis) -> Event {
        let name = transition.entered ? "Segment Entered" : "Segment Exited"
        let messageId = "\(segmentRecordPrefix)\(transition.causeSeq):\(transition.segment):\(transition.entered ? "entered" : "exited")"
        var event = Event(
            messageId: messageId, type: .track, name: name, userId: transition.userId, anonymousId: transition.anonymousId,
            timestamp: transition.time, receivedAt: receivedAt)
        event.json = recordJSON(
            messageId: messageId, name: name, segment: transition.segment, userId: transition.userId,
            anonymousId: transition.anonymousId, timestamp: transition.time, receivedAt: receivedAt)
        return event
    }

    /// The JSON of a segment record stored without a body, from its row's columns; `nil` when
    /// `messageId` is not a segment record's.
    public static func segmentRecordJSON(
        messageId: String, name: String?, userId: String?, anonymousId: String?, timestamp: Millis, receivedAt: Millis
    ) -> JSONValue? {
        guard let name, let parts = segmentRecordParts(messageId) else { return nil }
        return recordJSON(
            messageId: messageId, name: name, segment: String(parts.segment), userId: userId, anonymousId: anonymousId,
            timestamp: timestamp, receivedAt: receivedAt)
    }

    /// The cause and segment named by a segment record's messageId,
    /// `segment:<cause seq>:<segment id>:<entered|exited>` (a segment id may hold `:`); `nil` for
    /// any other messageId.
    static func segmentRecordParts(_ messageId: String) -> (cause: Int64, segment: Substring)? {
        guard messageId.hasPrefix(segmentRecordPrefix) else { return nil }
        let rest = messageId.dropFirst(segmentRecordPrefix.count)
        guard let first = rest.firstIndex(of: ":"), let last = rest.lastIndex(of: ":"), first < last,
            let cause = Int64(rest[..<first])
        else { return nil }
        return (cause, rest[rest.index(after: first)..<last])
    }

    private static func recordJSON(
        messageId: String, name: String, segment: String, userId: String?, anonymousId: String?, timestamp: Millis,
        receivedAt: Millis
    ) -> JSONValue {
        var fields: [String: JSONValue] = [
            "type": "track", "event": .string(name), "messageId": .string(messageId),
            "timestamp": .string(Timestamp.format(timestamp)), "receivedAt": .string(Timestamp.format(receivedAt)),
            "properties": ["segment": .string(segment)], "context": recordContext,
        ]
        if let userId { fields["userId"] = .string(userId) }
        if let anonymousId { fields["anonymousId"] = .string(anonymousId) }
        return .object(fields)
    }

    /// The sequence number of the event that caused this segment record (`nil` for other events).
    public var segmentRecordCause: Int64? { Self.segmentRecordParts(messageId)?.cause }

    /// The `context` of Kairos' own records.
    private static let recordContext: JSONValue = ["library": ["name": "kairos"]]

    /// This event reduced to a consent record: ids, time and consent, no properties or traits.
    public func consentRecord() -> Event {
        var fields: [String: JSONValue] = [
            "type": "consent", "messageId": .string(messageId),
            "timestamp": .string(Timestamp.format(timestamp)), "receivedAt": .string(Timestamp.format(receivedAt)),
        ]
        if let userId { fields["userId"] = .string(userId) }
        if let anonymousId { fields["anonymousId"] = .string(anonymousId) }
        if let consent { fields["consent"] = .object(consent.mapValues { .bool($0) }) }
        return Event(
            messageId: messageId, type: .consent, userId: userId, anonymousId: anonymousId, timestamp: timestamp,
            receivedAt: receivedAt, consent: consent, body: JSONWriter.bytes(.object(fields)))
    }
}
