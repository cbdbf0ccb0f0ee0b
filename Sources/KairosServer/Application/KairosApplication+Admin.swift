import Hummingbird
import KairosCore
import KairosEngine

extension KairosApplication {
    /// `/v1/admin/{features,segments,channels,triggers,deliveries}`: definitions as data, validated
    /// as a whole on every change and applied live.
    static func addAdminRoutes(
        to admin: RouterGroup<BasicRequestContext>, configuration: KairosConfiguration, pipeline: IngestPipeline,
        registry: DefinitionRegistry, backfill: FeatureBackfill, bodyReader: JSONBodyReader
    ) {
        var features = DefinitionsController<BasicRequestContext, FeatureDefinition>(
            name: "features", bodyReader: bodyReader, list: { await registry.featureDefinitions() }, id: \.id,
            parse: { try FeatureDefinition.parse($0, id: $1) },
            put: { definition in
                let backfilling = try await registry.putFeature(definition)
                guard case .object(var fields) = definition.json else { return definition.json }
                fields["backfilling"] = .bool(backfilling)
                return .object(fields)
            },
            delete: { try await registry.deleteFeature(id: $0) }, describe: \.json)
        features.listExtras = { ["backfillsPending": .number(Double(backfill.backlog))] }
        features.addRoutes(to: admin.group("features"))
        let profiles = pipeline.profiles
        let describeSegment: @Sendable (SegmentDefinition) -> JSONValue = { definition in
            guard case .object(var fields) = definition.json else { return definition.json }
            fields["size"] = .number(Double(profiles.segmentSizes[definition.id] ?? 0))
            return .object(fields)
        }
        DefinitionsController<BasicRequestContext, SegmentDefinition>(
            name: "segments", bodyReader: bodyReader, list: { await registry.segmentDefinitions() }, id: \.id,
            parse: { try SegmentDefinition.parse($0, id: $1) },
            put: { definition in
                try await registry.putSegment(definition)
                return describeSegment(definition)
            },
            delete: { try await registry.deleteSegment(id: $0) },
            describe: describeSegment
        ).addRoutes(to: admin.group("segments"))
        DefinitionsController<BasicRequestContext, ChannelDefinition>(
            name: "channels", bodyReader: bodyReader, list: { await registry.channelDefinitions() }, id: \.id,
            parse: { json, id in
                let channel = try ChannelDefinition.parse(json, id: id)
                try configuration.delivery.checkAllowed(channel)
                return channel
            },
            put: { channel in
                try await registry.putChannel(channel)
                return channel.json
            },
            delete: { try await registry.deleteChannel(id: $0) }, describe: \.json
        ).addRoutes(to: admin.group("channels"))
        DefinitionsController<BasicRequestContext, TriggerDefinition>(
            name: "triggers", bodyReader: bodyReader, list: { await registry.triggerDefinitions() }, id: \.id,
            parse: { try TriggerDefinition.parse($0, id: $1) },
            put: { trigger in
                try await registry.putTrigger(trigger)
                return trigger.json
            },
            delete: { try await registry.deleteTrigger(id: $0) }, describe: \.json
        ).addRoutes(to: admin.group("triggers"))
        DefinitionsController<BasicRequestContext, PlacementDefinition>(
            name: "placements", bodyReader: bodyReader, list: { await registry.placementDefinitions() }, id: \.id,
            parse: { try PlacementDefinition.parse($0, id: $1) },
            put: { placement in
                try await registry.putPlacement(placement)
                return placement.json
            },
            delete: { try await registry.deletePlacement(id: $0) }, describe: \.json
        ).addRoutes(to: admin.group("placements"))
        addOfferRoutes(to: admin, pipeline: pipeline, registry: registry, bodyReader: bodyReader)
        DeliveriesController(store: pipeline.store).addRoutes(to: admin.group("deliveries"))
    }
}
