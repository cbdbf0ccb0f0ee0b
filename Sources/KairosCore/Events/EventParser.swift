/// Turns Segment tracking-API payloads into validated, normalised ``Event``s.
///
/// Validation is complete before anything is stored: an event either comes out whole or is
/// rejected with an ``APIError`` naming the field.
public struct EventParser: Sendable {
    public var limits: IngestLimits

    public init(limits: IngestLimits = IngestLimits()) {
        self.limits = limits
    }

    /// Parses one event object.
    /// - Parameters:
    ///   - value: the event's JSON.
    ///   - impliedType: the type given by the route (`/v1/track` → `.track`); `nil` for batch entries,
    ///     which must name their `type`.
    ///   - receivedAt: when the request arrived.
    ///   - batchSentAt: a batch-level `sentAt`, used when the event has none.
    ///   - makeMessageId: supplies an id for events that carry none.
    public func parse(
        _ value: JSONValue, impliedType: EventType?, receivedAt: Millis, batchSentAt: Millis? = nil,
        makeMessageId: () -> String
    ) throws(APIError) -> Event {
        guard case .object(var fields) = value else {
            throw APIError(status: 422, code: "invalid_event", message: "an event must be a JSON object, not \(value.typeName)")
        }
        let type: EventType
        if let impliedType {
            type = impliedType
        } else {
            guard let raw = try string(fields, "type") else { throw .missingField("type") }
            guard let parsed = EventType(rawValue: raw), EventType.external.contains(parsed) else {
                throw APIError(
                    status: 422, code: "unknown_type",
                    message: "unknown event type '\(raw)'; expected one of track, identify, page, screen, alias, group",
                    field: "type")
            }
            type = parsed
        }
        // The first change copies the caller's object: copied once, with room for the fields added below.
        fields.reserveCapacity(fields.count + 6)
        fields["type"] = .string(type.rawValue)
        fields.removeValue(forKey: "writeKey")  // a credential, never stored

        let userId = try id(fields, "userId")
        let anonymousId = try id(fields, "anonymousId")
        var previousId: String?
        var groupId: String?
        var name: String?
        switch type {
        case .track:
            guard let event = try string(fields, "event"), !event.isEmpty else {
                throw .missingField("event", "'event' (the event name) is required for track")
            }
            guard event.utf8.count <= 200 else { throw .invalidField("event", "'event' is longer than 200 bytes") }
            name = event
        case .page, .screen:
            name = try string(fields, "name")
        case .alias:
            guard userId != nil else { throw .missingField("userId", "'userId' is required for alias") }
            guard let previous = try id(fields, "previousId") else { throw .missingField("previousId") }
            previousId = previous
        case .group:
            guard let group = try id(fields, "groupId") else { throw .missingField("groupId") }
            groupId = group
        case .identify, .consent:
            break
        }
        if userId == nil && anonymousId == nil {
            throw APIError(
                status: 422, code: "missing_identity", message: "an event needs a 'userId' or an 'anonymousId'",
                field: "userId")
        }

        let messageId = try id(fields, "messageId") ?? makeMessageId()
        if messageId.hasPrefix(Event.segmentRecordPrefix) {
            throw .invalidField("messageId", "messageIds starting with '\(Event.segmentRecordPrefix)' are reserved for Kairos' own records")
        }
        fields["messageId"] = .string(messageId)

        // Clock-skew correction: timestamp = receivedAt - (sentAt - clientTimestamp).
        var clientTimestamp = try time(fields, "timestamp")
        if clientTimestamp == nil { clientTimestamp = try time(fields, "originalTimestamp") }
        let sentAt = try time(fields, "sentAt") ?? batchSentAt
        var timestamp = receivedAt
        if let clientTimestamp {
            timestamp = clientTimestamp
            if let sentAt { timestamp = clientTimestamp + (receivedAt - sentAt) }
            fields["originalTimestamp"] = .string(Timestamp.format(clientTimestamp))
        }
        if !Timestamp.representable.contains(timestamp) {
            throw .invalidField("timestamp", "the event's timestamp (after clock-skew correction) must lie between the years 0001 and 9999")
        }
        if timestamp > receivedAt + limits.maxFutureSkew {
            throw APIError(
                status: 422, code: "timestamp_in_future",
                message: "the event's timestamp is more than \(limits.maxFutureSkew / 3_600_000) h in the future",
                field: "timestamp")
        }
        fields["timestamp"] = .string(Timestamp.format(timestamp))
        fields["receivedAt"] = .string(Timestamp.format(receivedAt))

        for objectField in ["properties", "traits", "context"] {
            if let member = fields[objectField], member != .null, member.objectValue == nil {
                throw .invalidField(objectField, "'\(objectField)' must be an object, not \(member.typeName)")
            }
        }
        var decisionId: String?
        if let properties = fields["properties"]?.objectValue, let value = properties["decisionId"], value != .null {
            do {
                decisionId = try id(properties, "decisionId")
            } catch {
                throw .invalidField("properties.decisionId", "'properties.decisionId' must be the decisionId of a decision, a string of at most \(limits.maxIdLength) bytes")
            }
        }
        var traits: [String: JSONValue]?
        var consent: [String: Bool]?
        if let context = fields["context"]?.objectValue, let raw = context["consent"], raw != .null {
            consent = try Consent.choices(from: raw, field: "context.consent")
        }
        if type == .identify, let given = fields["traits"]?.objectValue {
            traits = given
            if let raw = given["consent"], raw != .null {
                let fromTraits = try Consent.choices(from: raw, field: "traits.consent")
                consent = (consent ?? [:]).merging(fromTraits) { contextChoice, _ in contextChoice }
            }
        }

        let json = JSONValue.object(fields)
        let body = JSONWriter.bytes(json, sortedKeys: false)
        if body.count > limits.maxEventBytes {
            throw .tooLarge("the event is \(body.count) bytes; the limit is \(limits.maxEventBytes)")
        }
        var event = Event(
            messageId: messageId, type: type, name: name, userId: userId, anonymousId: anonymousId,
            previousId: previousId, groupId: groupId, timestamp: timestamp, receivedAt: receivedAt, traits: traits,
            consent: consent, body: body)
        event.json = json
        event.decisionId = decisionId
        return event
    }

    // MARK: - Field readers

    private func string(_ fields: [String: JSONValue], _ key: String) throws(APIError) -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case let other?: throw .invalidField(key, "'\(key)' must be a string, not \(other.typeName)")
        }
    }

    /// An id field as tracking reads it: absent, null or empty is `nil`; otherwise a string of at
    /// most ``IngestLimits/maxIdLength`` bytes (422 naming the field).
    public func id(_ fields: [String: JSONValue], _ key: String) throws(APIError) -> String? {
        guard let value = try string(fields, key) else { return nil }
        if value.isEmpty { return nil }
        guard value.utf8.count <= limits.maxIdLength else {
            throw .invalidField(key, "'\(key)' is longer than \(limits.maxIdLength) bytes")
        }
        // SQLite's C-string APIs stop at NUL: "a\u{0}b" would be stored whole but looked up as "a".
        guard !value.utf8.contains(0) else {
            throw .invalidField(key, "'\(key)' must not contain the NUL character (U+0000)")
        }
        return value
    }

    private func time(_ fields: [String: JSONValue], _ key: String) throws(APIError) -> Millis? {
        guard let text = try string(fields, key) else { return nil }
        guard let millis = Timestamp.parse(text) else {
            throw .invalidField(key, "'\(key)' must be an ISO 8601 date-time such as 2026-11-22T10:00:00.000Z")
        }
        return millis
    }
}
