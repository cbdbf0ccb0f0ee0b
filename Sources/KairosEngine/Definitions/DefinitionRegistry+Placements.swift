import KairosCore
import KairosStore

extension DefinitionRegistry {
    /// All placement definitions, in id order.
    public func placementDefinitions() -> [PlacementDefinition] { Self.ordered(placements) }

    /// Adds or replaces a placement (compiled against the features in force; a 422 leaves the
    /// running placements untouched).
    public func putPlacement(_ definition: PlacementDefinition) async throws {
        await lock()
        defer { unlock() }
        var next = placements
        next[definition.id] = definition
        try await changePlacements(next) { store in
            try await store.putDefinition(kind: Self.placementKind, id: definition.id, definition.json)
        }
    }

    /// Removes a placement (requests naming it get the default strategy).
    public func deletePlacement(id: String) async throws -> Bool {
        await lock()
        defer { unlock() }
        guard placements[id] != nil else { return false }
        var next = placements
        next.removeValue(forKey: id)
        try await changePlacements(next) { store in _ = try await store.deleteDefinition(kind: Self.placementKind, id: id) }
        return true
    }

    private func changePlacements(
        _ next: [String: PlacementDefinition], persist: (any DataStore) async throws -> Void
    ) async throws {
        let compiled = try PlacementSet.compile(Self.ordered(next), features: pipeline.profiles.features)
        try await persist(store)
        pipeline.profiles.recommender.install(compiled)
        placements = next
    }
}
