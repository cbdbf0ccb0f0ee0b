/// The compiled, immutable placements in force, swapped in whole when definitions change.
public final class PlacementSet: Sendable {
    /// One placement with its expressions compiled.
    public final class Compiled: Sendable {
        public let definition: PlacementDefinition
        let filter: Expression?
        let rules: [(condition: Expression, effect: PlacementDefinition.Rule.Effect)]
        /// Whether the filter or a rule reads the profile, features or segments.
        public let needsProfile: Bool
        /// An action placement's priority formula; `nil` for the default propensity × value × lever.
        let priority: Expression?

        init(
            definition: PlacementDefinition, filter: Expression?, rules: [(Expression, PlacementDefinition.Rule.Effect)],
            priority: Expression? = nil
        ) {
            self.definition = definition
            self.filter = filter
            self.priority = priority
            self.rules = rules.map { (condition: $0.0, effect: $0.1) }
            let expressions = [filter].compactMap { $0 } + rules.map(\.0)
            needsProfile = expressions.contains {
                !$0.referencedFeatures.isEmpty || $0.source.contains("profile") || $0.source.contains("segments")
            }
        }
    }

    public let placements: [String: Compiled]
    /// The placement used for ids that are not defined.
    public let standard: Compiled

    public static let empty = PlacementSet(placements: [:])

    init(placements: [String: Compiled]) {
        self.placements = placements
        self.standard = placements["default"] ?? Compiled(definition: .standard, filter: nil, rules: [])
    }

    /// The placement with this id, or the default one (`defined` says which).
    public func placement(_ id: String) -> (placement: Compiled, defined: Bool) {
        if let placement = placements[id] { return (placement, true) }
        return (standard, false)
    }

    /// Compiles placements against the features in force; a bad expression is a 422 naming the
    /// placement, the field (`filter`, `rules[2].if`) and the line and column.
    public static func compile(_ definitions: [PlacementDefinition], features: FeatureSet) throws(APIError) -> PlacementSet {
        var compiled: [String: Compiled] = [:]
        for definition in definitions {
            let owner = "placement '\(definition.id)'"
            var filter: Expression?
            if let source = definition.filter {
                do {
                    filter = try Expression.compileCondition(source, environment: features.environment)
                } catch {
                    throw APIError.expression(error, field: "filter", in: owner)
                }
            }
            var rules: [(Expression, PlacementDefinition.Rule.Effect)] = []
            for (index, rule) in definition.rules.enumerated() {
                do {
                    rules.append((try Expression.compileCondition(rule.condition, environment: features.environment), rule.effect))
                } catch {
                    throw APIError.expression(error, field: "rules", in: owner + ", rules[\(index)].if").at(index: index)
                }
            }
            var priority: Expression?
            if let actions = definition.actions, actions.priority != ActionArbitration.defaultPriority {
                var environment = features.environment
                environment.offers = true
                environment.priority = true
                do {
                    priority = try Expression.compileNumber(actions.priority, environment: environment, what: "a priority")
                } catch {
                    throw APIError.expression(error, field: "actions.priority", in: owner)
                }
            }
            compiled[definition.id] = Compiled(definition: definition, filter: filter, rules: rules, priority: priority)
        }
        return PlacementSet(placements: compiled)
    }
}
