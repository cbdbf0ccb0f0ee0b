extension Profile {
    /// The profile as served by `GET /v1/profiles/{id}`.
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(String(key.dropFirst(2))),
            "anonymous": .bool(isAnonymous),
            "userIds": .array(userIds.map { .string($0) }),
            "anonymousIds": .array(anonymousIds.map { .string($0) }),
            "traits": .object(traits),
            "firstSeen": .string(Timestamp.format(firstSeen)),
            "lastSeen": .string(Timestamp.format(lastSeen)),
            "eventCounts": .object(eventCounts.mapValues { .number(Double($0)) }),
            "eventTotal": .number(Double(eventTotal)),
            "recentEvents": .array(
                recentEvents.reversed().map { event in
                    var entry: [String: JSONValue] = [
                        "seq": .number(Double(event.seq)), "type": .string(event.type.rawValue),
                        "timestamp": .string(Timestamp.format(event.timestamp)),
                    ]
                    if let name = event.name { entry["name"] = .string(name) }
                    return .object(entry)
                }),
            "consent": consent.json,
        ]
        if let userId { fields["userId"] = .string(userId) }
        return .object(fields)
    }
}

extension Consent {
    /// `{"analytics": true, ..., "updatedAt": ...}` with the three enforced purposes always present.
    public var json: JSONValue {
        var fields: [String: JSONValue] = [:]
        for purpose in [Consent.analytics, Consent.personalization, Consent.marketing] {
            fields[purpose] = .bool(allows(purpose))
        }
        for (purpose, granted) in purposes { fields[purpose] = .bool(granted) }
        var result: [String: JSONValue] = ["purposes": .object(fields)]
        if updatedAt > 0 { result["updatedAt"] = .string(Timestamp.format(updatedAt)) }
        return .object(result)
    }
}
