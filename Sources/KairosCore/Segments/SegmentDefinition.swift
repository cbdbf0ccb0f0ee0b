/// A named condition over a profile's traits, features, consent and segments. Membership is
/// re-evaluated on each event of the profile (a live segment).
///
/// ```yaml
/// - id: hot_shoppers
///   condition: features.views_5m >= 3 && !has(profile.traits.churned)
/// ```
public struct SegmentDefinition: Sendable, Equatable {
    /// The name used in `segments` lists and in `"id" in segments`.
    public var id: String
    /// The membership condition.
    public var condition: String
    public var description: String?

    public init(id: String, condition: String, description: String? = nil) {
        self.id = id
        self.condition = condition
        self.description = description
    }

    /// Parses and checks the shape of a definition (the condition is checked by ``SegmentSet``).
    public static func parse(_ json: JSONValue, id pathId: String? = nil) throws(APIError) -> SegmentDefinition {
        let (reader, id) = try DefinitionReader.open(json, kind: "segment", pathId: pathId)
        guard let condition = try reader.string("condition") else { throw .missingField("condition") }
        return SegmentDefinition(id: id, condition: condition, description: try reader.string("description"))
    }

    /// The definition as served by the admin API.
    public var json: JSONValue {
        var fields: [String: JSONValue] = ["id": .string(id), "condition": .string(condition)]
        if let description { fields["description"] = .string(description) }
        return .object(fields)
    }
}
