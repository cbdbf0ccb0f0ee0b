extension OfferDefinition {
    /// Parses and checks the shape of an offer (expressions, templates and channels are checked by ``OfferSet``).
    public static func parse(_ json: JSONValue, id pathId: String? = nil) throws(APIError) -> OfferDefinition {
        let (reader, id) = try DefinitionReader.open(json, kind: "offer", pathId: pathId)
        let fields = reader.fields
        guard let issue = try reader.string("issue") else { throw .missingField("issue", "'issue' (e.g. retention) is required") }
        guard let group = try reader.string("group") else { throw .missingField("group", "'group' (e.g. data-bundles) is required") }
        guard case .object(let channels)? = fields["channels"], !channels.isEmpty else {
            throw .missingField("channels", "'channels' must map channel ids to payloads, e.g. {\"inapp\": {\"title\": \"...\"}}")
        }
        for (channel, payload) in channels {
            guard case .object = payload else {
                throw .invalidField("channels", "channels.\(channel) must be an object (the payload on that channel)")
            }
        }
        var offer = OfferDefinition(id: id, name: try reader.string("name"), issue: issue, group: group, channels: channels)
        offer.validFrom = try reader.timestamp("validFrom")
        offer.validTo = try reader.timestamp("validTo")
        if let from = offer.validFrom, let to = offer.validTo, to <= from {
            throw .invalidField("validTo", "'validTo' must be after 'validFrom'")
        }
        offer.eligibility = try reader.string("eligibility")
        offer.applicability = try reader.string("applicability")
        if let entries = fields["suppression"], entries != .null {
            guard case .array(let rules) = entries else { throw .invalidField("suppression", "'suppression' must be a list of rules") }
            offer.suppression = try rules.enumerated().map { index, rule throws(APIError) in try suppression(rule, index: index) }
        }
        switch fields["value"] {
        case nil, .null?: break
        case .number(let number)? where number.isFinite && number >= 0: offer.value = .constant(number)
        case .string(let source)? where !source.isEmpty: offer.value = .expression(source)
        default: throw .invalidField("value", "'value' must be a number ≥ 0 or an expression")
        }
        if let lever = try reader.number("lever") {
            guard lever >= 0 else { throw .invalidField("lever", "'lever' must be ≥ 0") }
            offer.lever = lever
        }
        if let budget = fields["budget"], budget != .null { offer.budget = try Self.budget(budget, field: "budget") }
        offer.campaign = try reader.string("campaign")
        if let prior = try reader.number("prior") {
            guard prior > 0 && prior < 1 else { throw .invalidField("prior", "'prior' must be a probability between 0 and 1") }
            offer.prior = prior
        }
        if let events = fields["positive"], events != .null {
            guard case .array(let names) = events, !names.isEmpty else {
                throw .invalidField("positive", "'positive' must be a non-empty list of event names")
            }
            offer.positiveEvents = try names.enumerated().map { index, name throws(APIError) in
                guard case .string(let text) = name, !text.isEmpty else {
                    throw APIError.invalidField("positive", "positive[\(index)] must be an event name").at(index: index)
                }
                return text
            }
        }
        switch fields["attributes"] {
        case nil, .null?: break
        case .object(let attributes)?: offer.attributes = attributes
        default: throw .invalidField("attributes", "'attributes' must be an object")
        }
        offer.description = try reader.string("description")
        return offer
    }

    /// `{perDay, total}`; each a whole number ≥ 1.
    static func budget(_ json: JSONValue, field: String) throws(APIError) -> Budget {
        guard case .object(let fields) = json else { throw .invalidField(field, "'\(field)' must be {perDay, total}") }
        var budget = Budget()
        for key in fields.keys where key != "perDay" && key != "total" {
            throw .invalidField(field, "\(field).\(key) is not a budget field; use perDay and total")
        }
        for key in ["perDay", "total"] {
            guard let value = fields[key], value != .null else { continue }
            guard case .number(let number) = value, number >= 1, number < 1e12, number == number.rounded() else {
                throw .invalidField(field, "\(field).\(key) must be a whole number ≥ 1")
            }
            if key == "perDay" { budget.perDay = Int(number) } else { budget.total = Int(number) }
        }
        return budget
    }

    private static func suppression(_ json: JSONValue, index: Int) throws(APIError) -> Suppression {
        func fail(_ message: String) -> APIError {
            APIError.invalidField("suppression", "suppression[\(index)]: \(message)").at(index: index)
        }
        guard case .object(let fields) = json else { throw fail("a rule must be an object") }
        var within: Millis?
        if let value = fields["within"], value != .null {
            guard case .string(let text) = value, let millis = ExpressionDuration.parsePositive(text) else {
                throw fail("'within' must be a duration such as 14d")
            }
            within = millis
        }
        let kinds = ["impressions", "dismissed", "accepted", "when"].filter { fields[$0] != nil }
        guard kinds.count == 1 else {
            throw fail("needs exactly one of impressions (a count), dismissed: true, accepted: true or when (an expression)")
        }
        switch (kinds[0], fields[kinds[0]]!) {
        case ("impressions", .number(let count)) where count >= 1 && count <= 1000 && count == count.rounded():
            guard let within else { throw fail("'impressions' needs 'within' (e.g. 14d)") }
            return .impressions(count: Int(count), within: within)
        case ("dismissed", .bool(true)): return .dismissed(within: within)
        case ("accepted", .bool(true)): return .accepted(within: within)
        case ("when", .string(let source)) where !source.isEmpty:
            guard within == nil else { throw fail("'within' does not apply to 'when'") }
            return .condition(source)
        default:
            throw fail("impressions must be a whole number from 1 to 1000, dismissed and accepted must be true, when an expression")
        }
    }

    /// The definition as served by the admin API.
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(id), "name": .string(name), "issue": .string(issue), "group": .string(group),
            "channels": .object(channels), "lever": .number(lever),
            "suppression": .array(suppression.map(\.json)),
            "positive": .array(positiveEvents.map { .string($0) }),
        ]
        switch value {
        case .constant(let number): fields["value"] = .number(number)
        case .expression(let source): fields["value"] = .string(source)
        }
        if let validFrom { fields["validFrom"] = .string(Timestamp.format(validFrom)) }
        if let validTo { fields["validTo"] = .string(Timestamp.format(validTo)) }
        if let eligibility { fields["eligibility"] = .string(eligibility) }
        if let applicability { fields["applicability"] = .string(applicability) }
        if !budget.isEmpty { fields["budget"] = budget.json }
        if let campaign { fields["campaign"] = .string(campaign) }
        if let prior { fields["prior"] = .number(prior) }
        if !attributes.isEmpty { fields["attributes"] = .object(attributes) }
        if let description { fields["description"] = .string(description) }
        return .object(fields)
    }
}

extension OfferDefinition.Budget {
    public var json: JSONValue {
        var fields: [String: JSONValue] = [:]
        if let perDay { fields["perDay"] = .number(Double(perDay)) }
        if let total { fields["total"] = .number(Double(total)) }
        return .object(fields)
    }
}

extension OfferDefinition.Suppression {
    public var json: JSONValue {
        switch self {
        case .impressions(let count, let within):
            return .object(["impressions": .number(Double(count)), "within": .string(ExpressionDuration.format(within))])
        case .dismissed(let within):
            return .object(["dismissed": true].merging(within.map { ["within": .string(ExpressionDuration.format($0))] } ?? [:]) { a, _ in a })
        case .accepted(let within):
            return .object(["accepted": true].merging(within.map { ["within": .string(ExpressionDuration.format($0))] } ?? [:]) { a, _ in a })
        case .condition(let source):
            return .object(["when": .string(source)])
        }
    }
}
