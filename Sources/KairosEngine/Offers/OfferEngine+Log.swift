import Foundation
import KairosCore

extension OfferEngine {
    /// The logged record of the draw: the shared context features, the candidates column by
    /// column (`id`, `group`, `value`, `lever`, `priority`, `propensity`, and `probability` of
    /// being chosen first: one list each, in the same order, so names are not repeated 200
    /// times), the winners, the first winner and the probability with which it was chosen.
    /// Numbers but the probabilities keep 7 significant digits. ``PolicyLog`` turns it into a
    /// ``LoggedDecision``.
    public static func learningRecord(_ result: Arbitrator.Result) -> JSONValue {
        var context: [String: JSONValue] = [:]
        for token in result.shared { context[token.name] = .number(significant(Double(token.value))) }
        let candidates = result.candidates
        func column(_ value: (Arbitrator.Candidate) -> JSONValue) -> JSONValue { .array(candidates.map(value)) }
        var fields: [String: JSONValue] = [
            "context": .object(context),
            "offers": .object([
                "id": column { .string($0.offer.definition.id) }, "group": column { .string($0.offer.definition.taxonomy) },
                "value": column { .number(significant($0.value)) }, "lever": column { .number(significant($0.lever)) },
                "priority": column { .number(significant($0.priority)) },
                "propensity": column { .number(significant($0.propensity)) }, "probability": column { .number($0.probability) },
            ]),
            "winners": .array(result.chosen.map { .string($0.offer.definition.id) }),
        ]
        if let first = result.chosen.first {
            fields["chosen"] = .string(first.offer.definition.id)
            fields["propensity"] = .number(first.probability)
        }
        return .object(fields)
    }

    /// `value` with 7 significant digits.
    static func significant(_ value: Double) -> Double {
        guard value != 0, value.isFinite else { return value }
        let scale = pow(10, 6 - floor(log10(abs(value))))
        return (value * scale).rounded() / scale
    }
}
