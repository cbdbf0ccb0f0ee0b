/// The compiled, immutable offers, levers and campaigns in force, swapped in whole when one changes.
public final class OfferSet: Sendable {
    /// One offer with its expressions and templates compiled.
    public final class Compiled: Sendable {
        public let definition: OfferDefinition
        /// Position in ``OfferSet/offers``.
        public let index: Int
        let eligibility: Expression?
        let applicability: Expression?
        /// Where a decision keeps the result of `eligibility` / `applicability` when the
        /// expression does not read the offer: offers sharing one rule evaluate it once a decision.
        let eligibilitySlot: Int?
        let applicabilitySlot: Int?
        let suppressionConditions: [Expression]
        let value: Expression?
        /// Payload templates per channel.
        let payloads: [String: PayloadTemplate]
        /// The channels of `payloads` (a few; compared, not hashed, on every decision).
        let channelNames: [String]
        /// Whether a rule or the value reads the offer (`offer.*`): otherwise a decision does not
        /// set it as the context's item before evaluating them.
        let readsOffer: Bool
        /// The offer's lever times every lever that covers it.
        public let lever: Double
        /// What expressions see as `offer`.
        public let json: JSONValue
        /// Hashed model features of the offer itself (id, issue, group, attributes).
        public let tokens: [FeatureHasher.Token]
        /// The id and the taxonomy (`issue/group`) as JSON strings, for the decision log.
        public let encodedId: [UInt8]
        public let encodedTaxonomy: [UInt8]
        /// The taxonomy's number among the set's distinct taxonomies (0, 1, ...).
        public let taxonomyNumber: Int

        init(
            definition: OfferDefinition, index: Int, eligibility: Expression?, applicability: Expression?,
            suppressionConditions: [Expression], value: Expression?, payloads: [String: PayloadTemplate],
            lever: Double, slots: (eligibility: Int?, applicability: Int?), taxonomy: (encoded: [UInt8], number: Int)
        ) {
            (encodedTaxonomy, taxonomyNumber) = taxonomy
            self.definition = definition
            self.index = index
            self.eligibility = eligibility
            self.applicability = applicability
            (eligibilitySlot, applicabilitySlot) = slots
            self.suppressionConditions = suppressionConditions
            self.value = value
            self.payloads = payloads
            channelNames = payloads.keys.sorted()
            readsOffer = [eligibility, applicability, value].contains { $0?.referencesItem == true }
                || suppressionConditions.contains(where: \.referencesItem)
            self.lever = lever
            var fields: [String: JSONValue] = [
                "id": .string(definition.id), "name": .string(definition.name), "issue": .string(definition.issue),
                "group": .string(definition.group), "lever": .number(lever), "attributes": .object(definition.attributes),
            ]
            if case .constant(let number) = definition.value { fields["value"] = .number(number) }
            if let campaign = definition.campaign { fields["campaign"] = .string(campaign) }
            json = .object(fields)
            tokens = FeatureHasher.tokens(of: definition)
            encodedId = JSONWriter.bytes(.string(definition.id))
        }

        /// Whether giving it out draws on a budget (its own or its campaign's).
        public var isBudgeted: Bool { !definition.budget.isEmpty || definition.campaign != nil }

        /// The payload on `channel`, its templates rendered for `context`.
        public func payload(channel: String, _ context: EvaluationContext) -> JSONValue? {
            payloads[channel]?.render(context)
        }

        /// The business value for `context` (0 when an expression gives no number).
        public func value(_ context: EvaluationContext) -> Double {
            switch definition.value {
            case .constant(let number): return number
            case .expression:
                guard case .number(let number)? = value?.evaluate(context), number.isFinite else { return 0 }
                return max(0, number)
            }
        }
    }

    public let offers: [Compiled]
    public let levers: [String: LeverDefinition]
    public let campaigns: [String: CampaignDefinition]
    /// Offers with a budget of their own or a campaign's (what the budget ledger must look at).
    public let budgeted: [Compiled]
    /// Number of distinct eligibility and applicability rules that do not read the offer.
    let sharedConditions: Int
    private let byId: [String: Int]

    public static let empty = OfferSet(offers: [], levers: [:], campaigns: [:])

    init(offers: [Compiled], levers: [String: LeverDefinition], campaigns: [String: CampaignDefinition]) {
        self.offers = offers
        self.levers = levers
        self.campaigns = campaigns
        budgeted = offers.filter(\.isBudgeted)
        sharedConditions = offers.reduce(0) { max($0, ($1.eligibilitySlot ?? -1) + 1, ($1.applicabilitySlot ?? -1) + 1) }
        byId = Dictionary(offers.map { ($0.definition.id, $0.index) }, uniquingKeysWith: { first, _ in first })
    }

    public func offer(id: String) -> Compiled? { byId[id].map { offers[$0] } }

    /// The events that count as a positive response to offer `id` (the defaults for an offer no
    /// longer defined).
    public func positiveEvents(of id: String) -> [String] {
        offer(id: id)?.definition.positiveEvents ?? OfferDefinition.defaultPositiveEvents
    }

    /// Compiles offers against the features in force; a bad expression or template is a 422
    /// naming the offer, the field and the line and column; an unknown campaign a 422 on `campaign`.
    public static func compile(
        _ definitions: [OfferDefinition], levers: [LeverDefinition] = [], campaigns: [CampaignDefinition] = [],
        features: FeatureSet
    ) throws(APIError) -> OfferSet {
        var environment = features.environment
        environment.offers = true
        let campaignIndex = Dictionary(campaigns.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        var compiled: [Compiled] = []
        var slots: [String: Int] = [:]
        /// Numbered by their encoded bytes, as the decision log writes them (two spellings of one
        /// text that compare equal as strings stay two groups there).
        var taxonomies: [[UInt8]: Int] = [:]
        func slot(_ expression: Expression?) -> Int? {
            guard let expression, !expression.referencesItem else { return nil }
            if let slot = slots[expression.source] { return slot }
            slots[expression.source] = slots.count
            return slots.count - 1
        }
        for definition in definitions {
            let owner = "offer '\(definition.id)'"
            func condition(_ source: String?, _ field: String) throws(APIError) -> Expression? {
                guard let source else { return nil }
                do {
                    return try Expression.compileCondition(source, environment: environment)
                } catch {
                    throw APIError.expression(error, field: field, in: owner)
                }
            }
            if let campaign = definition.campaign, campaignIndex[campaign] == nil {
                throw .invalidField("campaign", "\(owner): no campaign '\(campaign)'; define it under /v1/admin/campaigns")
            }
            var suppression: [Expression] = []
            for rule in definition.suppression {
                guard case .condition(let source) = rule else { continue }
                suppression.append(try condition(source, "suppression")!)
            }
            var value: Expression?
            if case .expression(let source) = definition.value {
                do {
                    value = try Expression.compileNumber(source, environment: environment, what: "a value")
                } catch {
                    throw APIError.expression(error, field: "value", in: owner)
                }
            }
            var payloads: [String: PayloadTemplate] = [:]
            for (channel, payload) in definition.channels {
                guard case .object(let fields) = payload else { continue }
                payloads[channel] = try PayloadTemplate(fields, environment: environment, prefix: "channels.\(channel)", owner: owner)
            }
            let lever = levers.reduce(definition.lever) { $1.covers(definition) ? $0 * $1.weight : $0 }
            let taxonomy = JSONWriter.bytes(.string(definition.taxonomy))
            let taxonomyNumber = taxonomies[taxonomy, default: taxonomies.count]
            taxonomies[taxonomy] = taxonomyNumber
            let eligibility = try condition(definition.eligibility, "eligibility")
            let applicability = try condition(definition.applicability, "applicability")
            compiled.append(
                Compiled(
                    definition: definition, index: compiled.count, eligibility: eligibility, applicability: applicability,
                    suppressionConditions: suppression, value: value, payloads: payloads, lever: lever,
                    slots: (slot(eligibility), slot(applicability)), taxonomy: (taxonomy, taxonomyNumber)))
        }
        return OfferSet(
            offers: compiled, levers: Dictionary(levers.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last }),
            campaigns: campaignIndex)
    }
}
