import KairosCore
import KairosStore

extension DefinitionRegistry {
    /// All placement definitions, in id order.
    public func placementDefinitions() -> [PlacementDefinition] { Self.ordered(placements) }

    /// Adds or replaces a placement (compiled against the features in force; a 422 leaves the
    /// running placements untouched).
    public func putPlacement(_ definition: PlacementDefinition) async throws {
        var next = placements
        next[definition.id] = definition
        let compiled = try PlacementSet.compile(Self.ordered(next), features: pipeline.profiles.features)
        try await store.putDefinition(kind: Self.placementKind, id: definition.id, definition.json)
        pipeline.profiles.recommender.install(compiled)
        placements = next
    }

    /// Removes a placement (requests naming it get the default strategy).
    public func deletePlacement(id: String) async throws -> Bool {
        guard placements[id] != nil else { return false }
        var next = placements
        next.removeValue(forKey: id)
        let compiled = try PlacementSet.compile(Self.ordered(next), features: pipeline.profiles.features)
        _ = try await store.deleteDefinition(kind: Self.placementKind, id: id)
        pipeline.profiles.recommender.install(compiled)
        placements = next
        return true
    }
}
