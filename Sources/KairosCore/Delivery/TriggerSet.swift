/// The compiled, immutable triggers and channels in force.
public final class TriggerSet: Sendable {
    /// One compiled trigger (a reference, so matching every event against the set copies nothing).
    public final class Compiled: Sendable {
        public let definition: TriggerDefinition
        public let when: Expression
        public let condition: Expression?
        let unless: Expression?
        let message: PayloadTemplate

        /// Whether `when` reads the profile, its features or segments (and so needs them loaded;
        /// otherwise it is tested on the event alone, which is cheaper).
        public let whenReadsProfile: Bool

        init(
            definition: TriggerDefinition, when: Expression, condition: Expression?, unless: Expression?,
            message: PayloadTemplate
        ) {
            self.definition = definition
            self.when = when
            self.condition = condition
            self.unless = unless
            self.message = message
            whenReadsProfile =
                !when.referencedFeatures.isEmpty || when.source.contains("profile") || when.source.contains("segments")
        }
    }

    public let triggers: [Compiled]
    public let channels: [String: ChannelDefinition]
    /// How much of `profile.*` the triggers' `when` and `condition` read.
    public let profileReads: ProfileReads
    /// Features read by some trigger's `when` or `condition` (what must be computed to test them).
    public let conditionFeatures: FeatureSelection
    /// Whether some trigger's `when` or `condition` reads `segments`.
    public let readsSegments: Bool

    public static let empty = TriggerSet(triggers: [], channels: [:], features: .empty)

    init(triggers: [Compiled], channels: [String: ChannelDefinition], features: FeatureSet) {
        self.triggers = triggers
        self.channels = channels
        profileReads = ProfileReads(of: triggers.flatMap { [$0.when.source, $0.condition?.source].compactMap { $0 } })
        let ids = triggers.reduce(into: Set<String>()) { result, trigger in
            result.formUnion(trigger.when.referencedFeatures)
            result.formUnion(trigger.condition?.referencedFeatures ?? [])
        }
        conditionFeatures = FeatureSelection(ids: ids, in: features)
        readsSegments = triggers.contains { $0.when.referencesSegments || $0.condition?.referencesSegments == true }
    }

    public func trigger(id: String) -> Compiled? { triggers.first { $0.definition.id == id } }

    /// Compiles triggers against the features and channels in force; a bad expression or
    /// template is a 422 with its line and column, an unknown channel a 422 on `channel`.
    public static func compile(
        _ definitions: [TriggerDefinition], channels: [ChannelDefinition], features: FeatureSet
    ) throws(APIError) -> TriggerSet {
        let channelIndex = Dictionary(channels.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        var compiled: [Compiled] = []
        for definition in definitions {
            let owner = "trigger '\(definition.id)'"
            func condition(_ source: String?, _ field: String) throws(APIError) -> Expression? {
                guard let source else { return nil }
                do {
                    return try Expression.compileCondition(source, environment: features.environment)
                } catch {
                    throw APIError.expression(error, field: field, in: owner)
                }
            }
            guard channelIndex[definition.channel] != nil else {
                throw .invalidField("channel", "\(owner): no channel '\(definition.channel)'; define it under /v1/admin/channels")
            }
            let message = try PayloadTemplate(
                definition.message, environment: features.environment, prefix: "message", owner: owner)
            compiled.append(
                Compiled(
                    definition: definition, when: try condition(definition.when, "when")!,
                    condition: try condition(definition.condition, "condition"),
                    unless: try condition(definition.unless, "unless"), message: message))
        }
        return TriggerSet(triggers: compiled, channels: channelIndex, features: features)
    }
}

extension TriggerSet.Compiled {
    /// Whether `context`'s event cancels a wait of this trigger.
    public func cancels(_ context: EvaluationContext) -> Bool {
        unless?.matches(context) ?? false
    }

    /// The message fields rendered for `context`.
    public func render(_ context: EvaluationContext) -> JSONValue {
        message.render(context)
    }
}
