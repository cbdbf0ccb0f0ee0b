import KairosCore
import KairosStore
import Logging

/// The definitions in force (features and segments), their storage and their live application.
///
/// Changes are serialised: each one is validated as a whole new configuration (a rejected change
/// leaves the running one untouched), stored, put in force between two events by the ingest
/// pipeline, and new or changed features are backfilled from history in the background.
public actor DefinitionRegistry {
    public static let featureKind = "features"
    public static let segmentKind = "segments"
    public static let channelKind = "channels"
    public static let triggerKind = "triggers"
    public static let placementKind = "placements"

    let store: any DataStore
    let pipeline: IngestPipeline
    let backfill: FeatureBackfill
    let logger: Logger
    private(set) var features: [String: FeatureDefinition] = [:]
    private(set) var segments: [String: SegmentDefinition] = [:]
    private(set) var channels: [String: ChannelDefinition] = [:]
    private(set) var triggers: [String: TriggerDefinition] = [:]
    var placements: [String: PlacementDefinition] = [:]
    var offers: [String: OfferDefinition] = [:]
    var levers: [String: LeverDefinition] = [:]
    var campaigns: [String: CampaignDefinition] = [:]
    /// Changes are serialised: each reads the definitions in force, validates the next set, stores
    /// it and puts it in force; another change waits meanwhile (the actor alone would let it in
    /// at every `await`).
    private var changing = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(pipeline: IngestPipeline, backfill: FeatureBackfill, logger: Logger) {
        self.store = pipeline.store
        self.pipeline = pipeline
        self.backfill = backfill
        self.logger = logger
    }

    /// Loads stored definitions, then `extra` ones (from a YAML file: they win and are stored),
    /// compiles them and puts them in force. Call before the pipeline runs (before the replay).
    public func load(
        extraFeatures: [FeatureDefinition] = [], extraSegments: [SegmentDefinition] = [],
        extraChannels: [ChannelDefinition] = [], extraTriggers: [TriggerDefinition] = [],
        extraPlacements: [PlacementDefinition] = [], extraOffers: [OfferDefinition] = [],
        extraLevers: [LeverDefinition] = [], extraCampaigns: [CampaignDefinition] = []
    ) async throws {
        let loadedFeatures = try await stored(Self.featureKind, extra: extraFeatures, id: \.id) { try FeatureDefinition.parse($0) }
        let loadedSegments = try await stored(Self.segmentKind, extra: extraSegments, id: \.id) { try SegmentDefinition.parse($0) }
        let loadedChannels = try await stored(Self.channelKind, extra: extraChannels, id: \.id) { try ChannelDefinition.parse($0) }
        let loadedTriggers = try await stored(Self.triggerKind, extra: extraTriggers, id: \.id) { try TriggerDefinition.parse($0) }
        let loadedPlacements = try await stored(Self.placementKind, extra: extraPlacements, id: \.id) {
            try PlacementDefinition.parse($0)
        }
        let loadedOffers = try await stored(Self.offerKind, extra: extraOffers, id: \.id) { try OfferDefinition.parse($0) }
        let loadedLevers = try await stored(Self.leverKind, extra: extraLevers, id: \.id) { try LeverDefinition.parse($0) }
        let loadedCampaigns = try await stored(Self.campaignKind, extra: extraCampaigns, id: \.id) {
            try CampaignDefinition.parse($0)
        }
        // Everything compiles before anything from the file is stored.
        let featureSet = try FeatureSet.compile(Self.ordered(loadedFeatures))
        let segmentSet = try SegmentSet.compile(Self.ordered(loadedSegments), features: featureSet)
        let triggerSet = try TriggerSet.compile(
            Self.ordered(loadedTriggers), channels: Self.ordered(loadedChannels), features: featureSet)
        let placementSet = try PlacementSet.compile(Self.ordered(loadedPlacements), features: featureSet)
        let offerSet = try OfferSet.compile(
            Self.ordered(loadedOffers), levers: Self.ordered(loadedLevers), campaigns: Self.ordered(loadedCampaigns),
            features: featureSet)
        try await persist(Self.featureKind, extraFeatures, id: \.id, json: \.json)
        try await persist(Self.segmentKind, extraSegments, id: \.id, json: \.json)
        try await persist(Self.channelKind, extraChannels, id: \.id, json: \.storedJSON)
        try await persist(Self.triggerKind, extraTriggers, id: \.id, json: \.json)
        try await persist(Self.placementKind, extraPlacements, id: \.id, json: \.json)
        try await persist(Self.offerKind, extraOffers, id: \.id, json: \.json)
        try await persist(Self.leverKind, extraLevers, id: \.id, json: \.json)
        try await persist(Self.campaignKind, extraCampaigns, id: \.id, json: \.json)
        pipeline.offers.install(offerSet)
        offers = loadedOffers
        levers = loadedLevers
        campaigns = loadedCampaigns
        pipeline.profiles.recommender.install(placementSet)
        placements = loadedPlacements
        pipeline.profiles.install(featureSet)
        pipeline.profiles.install(segmentSet, now: Timestamp.now())
        pipeline.triggers.install(triggerSet)
        features = loadedFeatures
        segments = loadedSegments
        channels = loadedChannels
        triggers = loadedTriggers
    }

    func lock() async {
        while changing { await withCheckedContinuation { waiting.append($0) } }
        changing = true
    }

    func unlock() {
        changing = false
        if !waiting.isEmpty { waiting.removeFirst().resume() }
    }

    /// The stored definitions of a kind, with `extra` ones put over them.
    private func stored<Definition>(
        _ kind: String, extra: [Definition], id: KeyPath<Definition, String>,
        parse: (JSONValue) throws -> Definition
    ) async throws -> [String: Definition] {
        var result: [String: Definition] = [:]
        for json in try await store.definitions(kind: kind) {
            let definition = try parse(json)
            result[definition[keyPath: id]] = definition
        }
        for definition in extra { result[definition[keyPath: id]] = definition }
        return result
    }

    private func persist<Definition>(
        _ kind: String, _ definitions: [Definition], id: KeyPath<Definition, String>, json: KeyPath<Definition, JSONValue>
    ) async throws {
        for definition in definitions {
            try await store.putDefinition(kind: kind, id: definition[keyPath: id], definition[keyPath: json])
        }
    }

    /// All channel definitions, in id order.
    public func channelDefinitions() -> [ChannelDefinition] { Self.ordered(channels) }

    /// All trigger definitions, in id order.
    public func triggerDefinitions() -> [TriggerDefinition] { Self.ordered(triggers) }

    /// Adds or replaces a channel.
    public func putChannel(_ definition: ChannelDefinition) async throws {
        await lock()
        defer { unlock() }
        var next = channels
        next[definition.id] = definition
        try await change(channels: next) { store in
            try await store.putDefinition(kind: Self.channelKind, id: definition.id, definition.storedJSON)
        }
    }

    /// Removes a channel; refused (409) while a trigger sends on it.
    public func deleteChannel(id: String) async throws -> Bool {
        await lock()
        defer { unlock() }
        guard channels[id] != nil else { return false }
        if let user = triggers.values.first(where: { $0.channel == id }) {
            throw APIError(status: 409, code: "in_use", message: "channel '\(id)' is used by trigger '\(user.id)'", field: "id")
        }
        var next = channels
        next.removeValue(forKey: id)
        try await change(channels: next) { store in _ = try await store.deleteDefinition(kind: Self.channelKind, id: id) }
        return true
    }

    /// Adds or replaces a trigger.
    public func putTrigger(_ definition: TriggerDefinition) async throws {
        await lock()
        defer { unlock() }
        var next = triggers
        next[definition.id] = definition
        try await change(triggers: next) { store in
            try await store.putDefinition(kind: Self.triggerKind, id: definition.id, definition.json)
        }
    }

    /// Removes a trigger (its pending waits are cancelled when they come due).
    public func deleteTrigger(id: String) async throws -> Bool {
        await lock()
        defer { unlock() }
        guard triggers[id] != nil else { return false }
        var next = triggers
        next.removeValue(forKey: id)
        try await change(triggers: next) { store in _ = try await store.deleteDefinition(kind: Self.triggerKind, id: id) }
        return true
    }

    /// A change of channels or triggers only: compiled against the features in force and put in force at once.
    private func change(
        channels nextChannels: [String: ChannelDefinition]? = nil, triggers nextTriggers: [String: TriggerDefinition]? = nil,
        persist: (any DataStore) async throws -> Void
    ) async throws {
        let set = try TriggerSet.compile(
            Self.ordered(nextTriggers ?? triggers), channels: Self.ordered(nextChannels ?? channels),
            features: pipeline.profiles.features)
        try await persist(store)
        pipeline.triggers.install(set)
        if let nextChannels { channels = nextChannels }
        if let nextTriggers { triggers = nextTriggers }
    }

    /// All feature definitions, in id order.
    public func featureDefinitions() -> [FeatureDefinition] { Self.ordered(features) }

    /// All segment definitions, in id order.
    public func segmentDefinitions() -> [SegmentDefinition] { Self.ordered(segments) }

    /// Adds or replaces a feature. Returns whether a backfill was started.
    @discardableResult
    public func putFeature(_ definition: FeatureDefinition) async throws -> Bool {
        await lock()
        defer { unlock() }
        var next = features
        next[definition.id] = definition
        return try await change(features: next, segments: segments) { store in
            try await store.putDefinition(kind: Self.featureKind, id: definition.id, definition.json)
        }
    }

    /// Removes a feature; refused (409) while another definition refers to it.
    public func deleteFeature(id: String) async throws -> Bool {
        await lock()
        defer { unlock() }
        guard features[id] != nil else { return false }
        var next = features
        next.removeValue(forKey: id)
        try await change(features: next, segments: segments, inUse: id) { store in
            _ = try await store.deleteDefinition(kind: Self.featureKind, id: id)
        }
        return true
    }

    /// Adds or replaces a segment.
    public func putSegment(_ definition: SegmentDefinition) async throws {
        await lock()
        defer { unlock() }
        var next = segments
        next[definition.id] = definition
        try await change(features: features, segments: next) { store in
            try await store.putDefinition(kind: Self.segmentKind, id: definition.id, definition.json)
        }
    }

    /// Removes a segment; refused (409) while another segment refers to it.
    public func deleteSegment(id: String) async throws -> Bool {
        await lock()
        defer { unlock() }
        guard segments[id] != nil else { return false }
        var next = segments
        next.removeValue(forKey: id)
        if let user = pipeline.profiles.segments.user(of: id) {
            throw APIError(status: 409, code: "in_use", message: "segment '\(id)' is used by segment '\(user)'", field: "id")
        }
        try await change(features: features, segments: next) { store in
            _ = try await store.deleteDefinition(kind: Self.segmentKind, id: id)
        }
        return true
    }

    /// Validates the whole next configuration, stores the change, puts it in force and starts the
    /// backfill of new features. Returns whether a backfill was started.
    @discardableResult
    private func change(
        features nextFeatures: [String: FeatureDefinition], segments nextSegments: [String: SegmentDefinition],
        inUse removed: String? = nil, persist: (any DataStore) async throws -> Void
    ) async throws -> Bool {
        let previous = pipeline.profiles.features
        let compiled = Self.compile(
            features: nextFeatures, segments: nextSegments, previous: previous, previousSegments: pipeline.profiles.segments,
            triggers: Self.ordered(triggers), channels: Self.ordered(channels))
        let featureSet: FeatureSet
        let segmentSet: SegmentSet
        let triggerSet: TriggerSet
        switch compiled {
        case .success(let sets): (featureSet, segmentSet, triggerSet) = sets
        case .failure(let error):
            guard let removed else { throw error }
            throw APIError(status: 409, code: "in_use", message: "'\(removed)' is still used: \(error.message)", field: "id")
        }
        let placementSet: PlacementSet
        let offerSet: OfferSet
        do {
            placementSet = try PlacementSet.compile(Self.ordered(placements), features: featureSet)
            offerSet = try compileOffers(features: featureSet)
        } catch {
            guard let removed else { throw error }
            throw APIError(status: 409, code: "in_use", message: "'\(removed)' is still used: \(error.message)", field: "id")
        }
        try await persist(store)
        let upTo = try await pipeline.install(featureSet, segmentSet)
        pipeline.triggers.install(triggerSet)
        pipeline.profiles.recommender.install(placementSet)
        pipeline.offers.install(offerSet)
        features = nextFeatures
        segments = nextSegments
        let oldSlots = Set(previous.features.map(\.slot))
        let fresh = featureSet.features.filter { !oldSlots.contains($0.slot) && !$0.definition.isSession }
        backfill.enqueue(slots: Set(fresh.map(\.slot)), upTo: upTo, features: fresh.map(\.definition.id))
        logger.info("definitions changed", metadata: ["features": "\(nextFeatures.count)", "segments": "\(nextSegments.count)"])
        return !fresh.isEmpty && upTo > 0
    }

    private static func compile(
        features: [String: FeatureDefinition], segments: [String: SegmentDefinition], previous: FeatureSet,
        previousSegments: SegmentSet, triggers: [TriggerDefinition], channels: [ChannelDefinition]
    ) -> Result<(FeatureSet, SegmentSet, TriggerSet), APIError> {
        do throws(APIError) {
            let featureSet = try FeatureSet.compile(ordered(features), previous: previous)
            let segmentSet = try SegmentSet.compile(ordered(segments), features: featureSet, previous: previousSegments)
            let triggerSet = try TriggerSet.compile(triggers, channels: channels, features: featureSet)
            return .success((featureSet, segmentSet, triggerSet))
        } catch {
            return .failure(error)
        }
    }

    static func ordered<Definition>(_ definitions: [String: Definition]) -> [Definition] {
        definitions.keys.sorted().map { definitions[$0]! }
    }
}
