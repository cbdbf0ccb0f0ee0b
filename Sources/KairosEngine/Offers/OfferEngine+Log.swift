import Foundation
import KairosCore

extension OfferEngine {
    /// The logged record of the draw (the format `kairos evaluate-policy` reads): the shared
    /// context features, every candidate with its numbers and its probability of being chosen
    /// first, the first winner and the probability with which it was chosen. Numbers but the
    /// probabilities keep 7 significant digits (the log is written for every decision).
    public static func learningRecord(_ result: Arbitrator.Result) -> JSONValue {
        var context: [String: JSONValue] = [:]
        for token in result.shared { context[token.name] = .number(significant(Double(token.value))) }
        let chosen = Set(result.chosen.map(\.offer.index))
        let candidates: [JSONValue] = result.candidates.map { candidate in
            var fields: [String: JSONValue] = [
                "id": .string(candidate.offer.definition.id), "group": .string(candidate.offer.definition.taxonomy),
                "value": .number(significant(candidate.value)), "lever": .number(significant(candidate.lever)),
                "priority": .number(significant(candidate.priority)), "propensity": .number(significant(candidate.propensity)),
                "probability": .number(candidate.probability),
            ]
            if chosen.contains(candidate.offer.index) { fields["chosen"] = true }
            return .object(fields)
        }
        var fields: [String: JSONValue] = ["context": .object(context), "candidates": .array(candidates)]
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
