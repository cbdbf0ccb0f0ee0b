extension PlacementDefinition {
    /// Parses and checks the shape of a definition (expressions are checked by ``PlacementSet``).
    public static func parse(_ json: JSONValue, id pathId: String? = nil) throws(APIError) -> PlacementDefinition {
        let (reader, id) = try DefinitionReader.open(json, kind: "placement", pathId: pathId)
        var definition = PlacementDefinition(id: id)
        if let sources = reader.fields["sources"] {
            guard case .array(let entries) = sources, !entries.isEmpty else {
                throw .invalidField("sources", "'sources' must be a non-empty list of {source, weight, budget}")
            }
            definition.sources = []
            for (index, entry) in entries.enumerated() {
                guard case .object(let fields) = entry else {
                    throw APIError.invalidField("sources", "sources[\(index)] must be an object").at(index: index)
                }
                let source = try Self.source(fields["source"], field: "sources[\(index)].source", index: index)
                var weight = 1.0
                if let value = fields["weight"] {
                    guard case .number(let number) = value, number >= 0, number.isFinite else {
                        throw APIError.invalidField("sources", "sources[\(index)].weight must be a number ≥ 0").at(index: index)
                    }
                    weight = number
                }
                var budget = 100
                if let value = fields["budget"] {
                    guard case .number(let number) = value, number >= 1, number <= 1000, number == number.rounded() else {
                        throw APIError.invalidField("sources", "sources[\(index)].budget must be an integer from 1 to 1000").at(index: index)
                    }
                    budget = Int(number)
                }
                definition.sources.append(SourceWeight(source: source, weight: weight, budget: budget))
            }
        }
        definition.filter = try reader.string("filter")
        if let rules = reader.fields["rules"] {
            guard case .array(let entries) = rules else { throw .invalidField("rules", "'rules' must be a list") }
            for (index, entry) in entries.enumerated() {
                guard case .object(let fields) = entry, case .string(let condition)? = fields["if"] else {
                    throw APIError.invalidField("rules", "rules[\(index)] needs 'if' (an expression) and one of boost, bury, pin").at(index: index)
                }
                // Exactly one effect, and a valid one: a bad boost is never read as the other key.
                let effects = ["boost", "bury", "pin"].filter { fields[$0] != nil }
                let effect: Rule.Effect
                switch (effects, fields["boost"], fields["bury"], fields["pin"]) {
                case (["boost"], .number(let factor)?, _, _) where factor > 0 && factor.isFinite: effect = .boost(factor)
                case (["bury"], _, .bool(true)?, _): effect = .bury
                case (["pin"], _, _, .bool(true)?): effect = .pin
                default:
                    throw APIError.invalidField(
                        "rules", "rules[\(index)] needs exactly one of boost (a number > 0), bury: true or pin: true"
                    ).at(index: index)
                }
                definition.rules.append(Rule(condition: condition, effect: effect))
            }
        }
        if let diversity = reader.fields["diversity"] {
            guard case .object(let fields) = diversity else { throw .invalidField("diversity", "'diversity' must be an object") }
            if let value = fields["maxPerCategory"] {
                guard case .number(let number) = value, (1...1000).contains(number), number == number.rounded() else {
                    throw .invalidField("diversity", "diversity.maxPerCategory must be an integer from 1 to 1000")
                }
                definition.maxPerCategory = Int(number)
            }
            if let value = fields["mmr"] {
                guard case .number(let number) = value, (0...1).contains(number) else {
                    throw .invalidField("diversity", "diversity.mmr must be a number from 0 to 1")
                }
                definition.mmrLambda = number
            }
        }
        if let fallback = reader.fields["fallback"] {
            guard case .array(let entries) = fallback else { throw .invalidField("fallback", "'fallback' must be a list of sources") }
            definition.fallback = []
            for (index, entry) in entries.enumerated() {
                definition.fallback.append(try Self.source(entry, field: "fallback[\(index)]", index: index))
            }
        }
        if let flag = try reader.bool("excludePurchased") { definition.excludePurchased = flag }
        if let flag = try reader.bool("excludeInteracted") { definition.excludeInteracted = flag }
        if reader.fields["excludeSeenAfter"] == .null {
            definition.excludeSeenAfter = nil
        } else if let count = try reader.int("excludeSeenAfter") {
            guard count >= 1 else { throw .invalidField("excludeSeenAfter", "'excludeSeenAfter' must be ≥ 1") }
            definition.excludeSeenAfter = count
        }
        if let limit = try reader.int("limit") {
            guard (1...100).contains(limit) else { throw .invalidField("limit", "'limit' must be from 1 to 100") }
            definition.limit = limit
        }
        if let actions = reader.fields["actions"], actions != .null {
            definition.actions = try ActionArbitration.parse(actions)
            if reader.fields["limit"] == nil { definition.limit = 1 }
        }
        definition.description = try reader.string("description")
        return definition
    }

    /// A source name; an error names the list (`sources`, `fallback`) and the entry's index.
    private static func source(_ value: JSONValue?, field: String, index: Int) throws(APIError) -> Source {
        let names = Source.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .string(let name)? = value, let source = Source(rawValue: name) else {
            throw APIError.invalidField(field.components(separatedBy: "[").first ?? field, "\(field) must be one of \(names)")
                .at(index: index)
        }
        return source
    }

    /// The definition as served by the admin API.
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(id),
            "sources": .array(sources.map { .object(["source": .string($0.source.rawValue), "weight": .number($0.weight), "budget": .number(Double($0.budget))]) }),
            "rules": .array(rules.map { rule in
                var fields: [String: JSONValue] = ["if": .string(rule.condition)]
                switch rule.effect {
                case .boost(let factor): fields["boost"] = .number(factor)
                case .bury: fields["bury"] = true
                case .pin: fields["pin"] = true
                }
                return .object(fields)
            }),
            "fallback": .array(fallback.map { .string($0.rawValue) }),
            "excludePurchased": .bool(excludePurchased), "excludeInteracted": .bool(excludeInteracted),
            "excludeSeenAfter": excludeSeenAfter.map { .number(Double($0)) } ?? .null,
            "limit": .number(Double(limit)),
        ]
        if let filter { fields["filter"] = .string(filter) }
        var diversity: [String: JSONValue] = [:]
        if let maxPerCategory { diversity["maxPerCategory"] = .number(Double(maxPerCategory)) }
        if let mmrLambda { diversity["mmr"] = .number(mmrLambda) }
        if !diversity.isEmpty { fields["diversity"] = .object(diversity) }
        if let actions { fields["actions"] = actions.json }
        if let description { fields["description"] = .string(description) }
        return .object(fields)
    }
}
