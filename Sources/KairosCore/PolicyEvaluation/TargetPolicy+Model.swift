/// The policy of a stored propensity model: the candidate with the highest propensity × value ×
/// lever, its features rebuilt from the logged context and the candidate's id and group (offer
/// attributes are not in the log, so their features are left out).
extension TargetPolicy {
    public static func model(_ model: PropensityModel, name: String = "model") -> TargetPolicy {
        argmax(name: name) { decision, index in
            let candidate = decision.candidates[index]
            let shared = decision.context.keys.sorted().map { FeatureHasher.Token(name: $0, value: Float(decision.context[$0]!)) }
            let group = candidate.group ?? ""
            let action = [
                FeatureHasher.Token(name: "action:\(candidate.id)"), FeatureHasher.Token(name: "group:\(group)"),
                FeatureHasher.Token(name: "issue:\(group.split(separator: "/").first.map(String.init) ?? "")"),
            ]
            let vector = FeatureHasher.vector(shared: shared, action: action, bits: model.parameters.bits)
            return PropensityModel.sigmoid(model.logit(vector)) * candidate.value * candidate.lever
        }
    }
}
