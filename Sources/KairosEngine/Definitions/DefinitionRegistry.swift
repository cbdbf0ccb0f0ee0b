import KairosCore
import KairosStore
import Logging

/// The definitions in force (features, for now), their storage and their live application.
///
/// Changes are serialised: each one is validated as a whole new set (a rejected change leaves
/// the running configuration untouched), stored, put in force between two events by the ingest
/// pipeline, and new or changed features are backfilled from history in the background.
public actor DefinitionRegistry {
    public static let featureKind = "features"

    let store: any DataStore
    let pipeline: IngestPipeline
    let backfill: FeatureBackfill
    let logger: Logger
    private(set) var features: [String: FeatureDefinition] = [:]

    public init(pipeline: IngestPipeline, backfill: FeatureBackfill, logger: Logger) {
        self.store = pipeline.store
        self.pipeline = pipeline
        self.backfill = backfill
        self.logger = logger
    }

    /// Loads stored definitions, then `extra` ones (from a YAML file: they win and are stored),
    /// compiles them and puts them in force before the log is replayed. Call before the pipeline runs.
    public func load(extraFeatures: [FeatureDefinition] = []) async throws {
        var loaded: [String: FeatureDefinition] = [:]
        for json in try await store.definitions(kind: Self.featureKind) {
            let definition = try FeatureDefinition.parse(json)
            loaded[definition.id] = definition
        }
        for definition in extraFeatures {
            loaded[definition.id] = definition
            try await store.putDefinition(kind: Self.featureKind, id: definition.id, definition.json)
        }
        let set = try FeatureSet.compile(Self.ordered(loaded))
        pipeline.profiles.install(set)
        features = loaded
    }

    /// All feature definitions, by id.
    public func featureDefinitions() -> [FeatureDefinition] { Self.ordered(features) }

    /// Adds or replaces a feature. Returns whether a backfill was started.
    @discardableResult
    public func putFeature(_ definition: FeatureDefinition) async throws -> Bool {
        var next = features
        next[definition.id] = definition
        let previous = pipeline.profiles.features
        let set = try FeatureSet.compile(Self.ordered(next), previous: previous)
        try await store.putDefinition(kind: Self.featureKind, id: definition.id, definition.json)
        let upTo = try await pipeline.install(set)
        features = next
        let oldSlots = Set(previous.features.map(\.slot))
        let fresh = set.features.filter { !oldSlots.contains($0.slot) && !$0.definition.isSession }
        backfill.enqueue(slots: Set(fresh.map(\.slot)), upTo: upTo, features: fresh.map(\.definition.id))
        logger.info("feature defined", metadata: ["feature": "\(definition.id)"])
        return !fresh.isEmpty && upTo > 0
    }

    /// Removes a feature; refused (409) while another definition refers to it.
    public func deleteFeature(id: String) async throws -> Bool {
        guard features[id] != nil else { return false }
        var next = features
        next.removeValue(forKey: id)
        let set: FeatureSet
        do {
            set = try FeatureSet.compile(Self.ordered(next), previous: pipeline.profiles.features)
        } catch {
            throw APIError(
                status: 409, code: "in_use", message: "feature '\(id)' is still used: \(error.message)", field: "id")
        }
        _ = try await store.deleteDefinition(kind: Self.featureKind, id: id)
        _ = try await pipeline.install(set)
        features = next
        return true
    }

    static func ordered(_ definitions: [String: FeatureDefinition]) -> [FeatureDefinition] {
        definitions.keys.sorted().map { definitions[$0]! }
    }
}
