import KairosCore
import KairosStore

extension DefinitionRegistry {
    public static let offerKind = "offers"
    public static let leverKind = "levers"
    public static let campaignKind = "campaigns"

    /// All offer definitions, in id order.
    public func offerDefinitions() -> [OfferDefinition] { Self.ordered(offers) }
    /// All lever definitions, in id order.
    public func leverDefinitions() -> [LeverDefinition] { Self.ordered(levers) }
    /// All campaign definitions, in id order.
    public func campaignDefinitions() -> [CampaignDefinition] { Self.ordered(campaigns) }

    /// Adds or replaces an offer (compiled against the features and campaigns in force; a 422
    /// leaves the running offers untouched).
    public func putOffer(_ definition: OfferDefinition) async throws {
        await lock()
        defer { unlock() }
        var next = offers
        next[definition.id] = definition
        try await changeOffers(offers: next) { try await $0.putDefinition(kind: Self.offerKind, id: definition.id, definition.json) }
    }

    public func deleteOffer(id: String) async throws -> Bool {
        await lock()
        defer { unlock() }
        guard offers[id] != nil else { return false }
        var next = offers
        next.removeValue(forKey: id)
        try await changeOffers(offers: next) { _ = try await $0.deleteDefinition(kind: Self.offerKind, id: id) }
        return true
    }

    /// Adds or replaces a lever: the next decision weighs with it.
    public func putLever(_ definition: LeverDefinition) async throws {
        await lock()
        defer { unlock() }
        var next = levers
        next[definition.id] = definition
        try await changeOffers(levers: next) { try await $0.putDefinition(kind: Self.leverKind, id: definition.id, definition.json) }
    }

    public func deleteLever(id: String) async throws -> Bool {
        await lock()
        defer { unlock() }
        guard levers[id] != nil else { return false }
        var next = levers
        next.removeValue(forKey: id)
        try await changeOffers(levers: next) { _ = try await $0.deleteDefinition(kind: Self.leverKind, id: id) }
        return true
    }

    public func putCampaign(_ definition: CampaignDefinition) async throws {
        await lock()
        defer { unlock() }
        var next = campaigns
        next[definition.id] = definition
        try await changeOffers(campaigns: next) {
            try await $0.putDefinition(kind: Self.campaignKind, id: definition.id, definition.json)
        }
    }

    /// Removes a campaign; refused (409) while an offer draws on it.
    public func deleteCampaign(id: String) async throws -> Bool {
        await lock()
        defer { unlock() }
        guard campaigns[id] != nil else { return false }
        if let user = offers.values.first(where: { $0.campaign == id }) {
            throw APIError(status: 409, code: "in_use", message: "campaign '\(id)' is used by offer '\(user.id)'", field: "id")
        }
        var next = campaigns
        next.removeValue(forKey: id)
        try await changeOffers(campaigns: next) { _ = try await $0.deleteDefinition(kind: Self.campaignKind, id: id) }
        return true
    }

    private func changeOffers(
        offers nextOffers: [String: OfferDefinition]? = nil, levers nextLevers: [String: LeverDefinition]? = nil,
        campaigns nextCampaigns: [String: CampaignDefinition]? = nil, persist: (any DataStore) async throws -> Void
    ) async throws {
        let compiled = try OfferSet.compile(
            Self.ordered(nextOffers ?? offers), levers: Self.ordered(nextLevers ?? levers),
            campaigns: Self.ordered(nextCampaigns ?? campaigns), features: pipeline.profiles.features)
        try await persist(store)
        pipeline.offers.install(compiled)
        if let nextOffers { offers = nextOffers }
        if let nextLevers { levers = nextLevers }
        if let nextCampaigns { campaigns = nextCampaigns }
    }

    /// The offers recompiled against other features (a feature change must not break them).
    func compileOffers(features: FeatureSet) throws(APIError) -> OfferSet {
        try OfferSet.compile(
            Self.ordered(offers), levers: Self.ordered(levers), campaigns: Self.ordered(campaigns), features: features)
    }
}
