import Hummingbird
import KairosCore
import KairosEngine

extension KairosApplication {
    /// `/v1/admin/{offers,levers,campaigns,models}`: next-best-action definitions, applied live,
    /// and the propensity models' reports.
    static func addOfferRoutes(
        to admin: RouterGroup<BasicRequestContext>, pipeline: IngestPipeline, registry: DefinitionRegistry,
        bodyReader: JSONBodyReader
    ) {
        let offers = pipeline.offers
        let describeOffer: @Sendable (OfferDefinition) -> JSONValue = { definition in
            guard case .object(var fields) = definition.json else { return definition.json }
            if !definition.budget.isEmpty { fields["budgetUsed"] = offers.ledger.use(offer: definition.id, now: Timestamp.now()) }
            return .object(fields)
        }
        DefinitionsController<BasicRequestContext, OfferDefinition>(
            name: "offers", bodyReader: bodyReader, list: { await registry.offerDefinitions() }, id: \.id,
            parse: { try OfferDefinition.parse($0, id: $1) },
            put: { offer in
                try await registry.putOffer(offer)
                return describeOffer(offer)
            },
            delete: { try await registry.deleteOffer(id: $0) }, describe: describeOffer
        ).addRoutes(to: admin.group("offers"))
        DefinitionsController<BasicRequestContext, LeverDefinition>(
            name: "levers", bodyReader: bodyReader, list: { await registry.leverDefinitions() }, id: \.id,
            parse: { try LeverDefinition.parse($0, id: $1) },
            put: { lever in
                try await registry.putLever(lever)
                return lever.json
            },
            delete: { try await registry.deleteLever(id: $0) }, describe: \.json
        ).addRoutes(to: admin.group("levers"))
        let describeCampaign: @Sendable (CampaignDefinition) -> JSONValue = { definition in
            guard case .object(var fields) = definition.json else { return definition.json }
            fields["budgetUsed"] = offers.ledger.use(campaign: definition.id, now: Timestamp.now())
            return .object(fields)
        }
        DefinitionsController<BasicRequestContext, CampaignDefinition>(
            name: "campaigns", bodyReader: bodyReader, list: { await registry.campaignDefinitions() }, id: \.id,
            parse: { try CampaignDefinition.parse($0, id: $1) },
            put: { campaign in
                try await registry.putCampaign(campaign)
                return describeCampaign(campaign)
            },
            delete: { try await registry.deleteCampaign(id: $0) }, describe: describeCampaign
        ).addRoutes(to: admin.group("campaigns"))
        admin.get("models") { _, _ in
            Response.json(.object(["models": offers.report(), "pendingImpressions": .number(Double(offers.pendingImpressions))]))
        }
    }
}
