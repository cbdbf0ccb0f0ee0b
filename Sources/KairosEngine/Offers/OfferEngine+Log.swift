import KairosCore

extension OfferEngine {
    /// The logged record of the draw (the format `kairos evaluate-policy` reads).
    public static func learningRecord(_ result: Arbitrator.Result) -> JSONValue {
        var context: [String: JSONValue] = [:]
        for token in result.shared { context[token.name] = .number(Double(token.value)) }
        let chosen = Set(result.chosen.map(\.offer.index))
        let first = result.chosen.first
        let candidates: [JSONValue] = result.candidates.map { candidate in
            var fields: [String: JSONValue] = [
                "id": .string(candidate.offer.definition.id), "group": .string(candidate.offer.definition.taxonomy),
                "value": .number(candidate.value), "lever": .number(candidate.lever), "priority": .number(candidate.priority),
                "propensity": .number(candidate.propensity),
            ]
            if candidate.offer.index == first?.offer.index { fields["probability"] = .number(candidate.probability) }
            if chosen.contains(candidate.offer.index) { fields["chosen"] = true }
            return .object(fields)
        }
        var fields: [String: JSONValue] = ["context": .object(context), "candidates": .array(candidates)]
        if let first {
            fields["chosen"] = .string(first.offer.definition.id)
            fields["propensity"] = .number(first.probability)
        }
        return .object(fields)
    }

}
