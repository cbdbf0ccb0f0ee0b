/// A campaign: a budget shared by the offers that name it (`campaign: spring_sale`).
///
/// ```json
/// {"id": "spring_sale", "budget": {"perDay": 2000, "total": 50000}}
/// ```
public struct CampaignDefinition: Sendable, Equatable {
    public var id: String
    public var budget: OfferDefinition.Budget
    public var description: String?

    public init(id: String, budget: OfferDefinition.Budget, description: String? = nil) {
        self.id = id
        self.budget = budget
        self.description = description
    }

    public static func parse(_ json: JSONValue, id pathId: String? = nil) throws(APIError) -> CampaignDefinition {
        let (reader, id) = try DefinitionReader.open(json, kind: "campaign", pathId: pathId)
        guard let budget = reader.fields["budget"], budget != .null else {
            throw .missingField("budget", "'budget' ({perDay, total}) is required")
        }
        let parsed = try OfferDefinition.budget(budget, field: "budget")
        guard !parsed.isEmpty else { throw .invalidField("budget", "'budget' needs perDay, total or both") }
        return CampaignDefinition(id: id, budget: parsed, description: try reader.string("description"))
    }

    public var json: JSONValue {
        var fields: [String: JSONValue] = ["id": .string(id), "budget": budget.json]
        if let description { fields["description"] = .string(description) }
        return .object(fields)
    }
}
