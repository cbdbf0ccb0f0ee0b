/// A person's consent, per purpose. Purposes Kairos enforces: ``analytics`` (storing their events),
/// ``personalization`` (personal decisions) and ``marketing`` (outbound messages). Other purposes
/// (e.g. Segment categories such as `advertising`) are kept and exported as given.
public struct Consent: Sendable, Equatable {
    public static let analytics = "analytics"
    public static let personalization = "personalization"
    public static let marketing = "marketing"

    /// Choices by lower-cased purpose name.
    public var purposes: [String: Bool]
    /// Event time of the latest change, or 0 if never set.
    public var updatedAt: Millis

    public init(purposes: [String: Bool] = [:], updatedAt: Millis = 0) {
        self.purposes = purposes
        self.updatedAt = updatedAt
    }

    /// Whether `purpose` is allowed: granted unless explicitly withdrawn.
    @inlinable
    public func allows(_ purpose: String) -> Bool {
        purposes[purpose] ?? true
    }

    /// Applies a change made at `time`; later changes win per purpose.
    public mutating func apply(_ change: [String: Bool], at time: Millis) {
        for (purpose, granted) in change { purposes[purpose] = granted }
        updatedAt = max(updatedAt, time)
    }

    /// Combines two profiles' consent on merge: per purpose, the more recently updated side wins.
    public func merged(with other: Consent) -> Consent {
        let (older, newer) = updatedAt >= other.updatedAt ? (other, self) : (self, other)
        var result = older
        for (purpose, granted) in newer.purposes { result.purposes[purpose] = granted }
        result.updatedAt = newer.updatedAt
        return result
    }

    /// Reads consent choices from a JSON object: either `{"analytics": true, ...}` or the Segment
    /// shape `{"categoryPreferences": {"Analytics": true, ...}}`. Keys are lower-cased.
    public static func choices(from value: JSONValue, field: String) throws(APIError) -> [String: Bool] {
        guard case .object(var fields) = value else {
            throw .invalidField(field, "'\(field)' must be an object of purpose → boolean")
        }
        var path = field
        if let preferences = fields["categoryPreferences"] {
            guard case .object(let inner) = preferences else {
                throw .invalidField(field + ".categoryPreferences", "'categoryPreferences' must be an object")
            }
            fields = inner
            path = field + ".categoryPreferences"
        }
        var choices: [String: Bool] = [:]
        for (purpose, granted) in fields {
            guard case .bool(let flag) = granted else {
                throw .invalidField("\(path).\(purpose)", "consent for '\(purpose)' must be true or false")
            }
            choices[purpose.lowercased()] = flag
        }
        return choices
    }
}
