/// Features named by a set of rules, resolved once in the feature set they were compiled against:
/// reading them on every event then needs no lookup by name.
public struct FeatureSelection: Sendable {
    /// The names, as the rules wrote them.
    public let ids: Set<String>
    /// The set the features were resolved in.
    let owner: FeatureSet
    /// The resolved features (names the set does not know are left out).
    let features: [FeatureSet.Compiled]

    /// No features.
    public static let empty = FeatureSelection(ids: [], in: .empty)

    /// Resolves `ids` in `owner`.
    public init(ids: Set<String>, in owner: FeatureSet) {
        self.ids = ids
        self.owner = owner
        self.features = ids.sorted().compactMap { owner.feature(id: $0) }
    }
}

extension FeatureState {
    /// Values of the selected features at `now` (resolved again by name if `features` is not the
    /// set the selection was made in).
    func values(of selection: FeatureSelection, _ features: FeatureSet, now: Millis) -> [String: ExpressionValue] {
        var result: [String: ExpressionValue] = [:]
        result.reserveCapacity(selection.ids.count)
        add(selection, to: &result, features, now: now)
        return result
    }

    /// Adds the selected features' values at `now` that `values` does not hold yet.
    func add(_ selection: FeatureSelection, to values: inout [String: ExpressionValue], _ features: FeatureSet, now: Millis) {
        // A selection made in another set: the features are looked up by name again.
        let resolved = selection.owner === features ? selection.features : selection.ids.sorted().compactMap { features.feature(id: $0) }
        let fresh = values.isEmpty  // nothing to skip: no lookup before each insert
        for feature in resolved where fresh || values[feature.definition.id] == nil {
            values[feature.definition.id] = value(of: feature, now: now, sessionTimeout: features.sessionTimeout)
        }
    }
}
