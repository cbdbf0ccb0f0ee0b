/// A business weight on an issue, or on one group of it, changeable live: every offer it covers
/// has its priority multiplied by `weight` (levers multiply with each other and with the offer's own).
///
/// ```json
/// {"id": "push_retention", "issue": "retention", "group": "data-bundles", "weight": 1.5}
/// ```
public struct LeverDefinition: Sendable, Equatable {
    public var id: String
    public var issue: String
    /// The group within the issue; the whole issue when `nil`.
    public var group: String?
    public var weight: Double
    public var description: String?

    public init(id: String, issue: String, group: String? = nil, weight: Double, description: String? = nil) {
        self.id = id
        self.issue = issue
        self.group = group
        self.weight = weight
        self.description = description
    }

    /// Whether the lever weighs on `offer`.
    public func covers(_ offer: OfferDefinition) -> Bool {
        offer.issue == issue && (group == nil || group == offer.group)
    }

    public static func parse(_ json: JSONValue, id pathId: String? = nil) throws(APIError) -> LeverDefinition {
        let (reader, id) = try DefinitionReader.open(json, kind: "lever", pathId: pathId)
        guard let issue = try reader.string("issue") else { throw .missingField("issue", "'issue' (the issue it weighs on) is required") }
        guard let weight = try reader.number("weight"), weight >= 0 else {
            throw .invalidField("weight", "'weight' must be a number ≥ 0")
        }
        return LeverDefinition(
            id: id, issue: issue, group: try reader.string("group"), weight: weight, description: try reader.string("description"))
    }

    public var json: JSONValue {
        var fields: [String: JSONValue] = ["id": .string(id), "issue": .string(issue), "weight": .number(weight)]
        if let group { fields["group"] = .string(group) }
        if let description { fields["description"] = .string(description) }
        return .object(fields)
    }
}
