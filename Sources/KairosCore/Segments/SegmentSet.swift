/// The compiled, immutable set of segments in force, in dependency order.
public final class SegmentSet: Sendable {
    /// One compiled segment (a reference, so iterating the set on every event copies nothing).
    public final class Compiled: Sendable {
        public let slot: UInt16
        public let definition: SegmentDefinition
        let condition: Expression

        init(slot: UInt16, definition: SegmentDefinition, condition: Expression) {
            self.slot = slot
            self.definition = definition
            self.condition = condition
        }
    }

    public let segments: [Compiled]
    let slotIndex: [UInt16: Int]
    let nextSlot: UInt16
    /// How much of `profile.*` the conditions read.
    let profileReads: ProfileReads
    /// Whether some condition reads more of the event than its name, type, ids and time (the
    /// event body is then parsed on replay, so that memberships come out as they did live).
    public let needsEventBody: Bool
    /// The features some condition reads (only those are computed for segment evaluation).
    let referencedFeatures: FeatureSelection
    /// Whether some condition reads `segments` (the names are gathered for evaluation only then).
    let readsSegments: Bool

    public static let empty = SegmentSet(segments: [], nextSlot: 0, features: .empty)

    init(segments: [Compiled], nextSlot: UInt16, features: FeatureSet) {
        self.segments = segments
        self.nextSlot = nextSlot
        slotIndex = Dictionary(uniqueKeysWithValues: segments.enumerated().map { ($1.slot, $0) })
        profileReads = ProfileReads(of: segments.map(\.definition.condition))
        needsEventBody = segments.contains { FeatureSet.readsEventBody($0.definition.condition) }
        readsSegments = segments.contains { $0.condition.referencesSegments }
        referencedFeatures = FeatureSelection(
            ids: segments.reduce(into: Set<String>()) { $0.formUnion($1.condition.referencedFeatures) }, in: features)
    }

    /// The first other segment whose condition names `id` (`"id" in segments`), if any.
    public func user(of id: String) -> String? {
        segments.first { $0.definition.id != id && $0.condition.referencedSegments.contains(id) }?.definition.id
    }

    public func segment(id: String) -> Compiled? { segments.first { $0.definition.id == id } }
    public func segment(slot: UInt16) -> Compiled? { slotIndex[slot].map { segments[$0] } }

    /// Compiles segments against the features in force. Unchanged segments keep their slot (and
    /// their members); a segment that names another (`"vip" in segments`) is evaluated after it,
    /// and a cycle is a 422.
    public static func compile(
        _ definitions: [SegmentDefinition], features: FeatureSet, previous: SegmentSet = .empty
    ) throws(APIError) -> SegmentSet {
        var seen = Set<String>()
        for (position, definition) in definitions.enumerated() where !seen.insert(definition.id).inserted {
            throw APIError(status: 422, code: "duplicate_id", message: "segment '\(definition.id)' is defined twice", field: "id", index: position)
        }
        var compiled: [(SegmentDefinition, Expression)] = []
        for definition in definitions {
            do {
                compiled.append((definition, try Expression.compileCondition(definition.condition, environment: features.environment)))
            } catch {
                throw APIError.expression(error, field: "condition", in: "segment '\(definition.id)'")
            }
        }
        // Dependencies: the segments a condition names in `"name" in segments`.
        let ids = compiled.map(\.0.id)
        let position = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        let dependencies: [[Int]] = compiled.map { _, expression in
            expression.referencedSegments.sorted().compactMap { position[$0] }
        }
        let order = try DependencyOrder.sort(ids: ids, dependencies: dependencies, kind: "segments", field: "condition")

        var slots = SlotAllocator(next: previous.nextSlot, kind: "segments")
        var result: [Compiled] = []
        for index in order {
            let (definition, condition) = compiled[index]
            let old = previous.segment(id: definition.id).flatMap { $0.definition == definition ? $0.slot : nil }
            let slot = try slots.slot(keeping: old)
            result.append(Compiled(slot: slot, definition: definition, condition: condition))
        }
        return SegmentSet(segments: result, nextSlot: slots.next, features: features)
    }
}

/// A profile entering or leaving a segment.
public struct SegmentTransition: Sendable, Equatable {
    public var segment: String
    public var entered: Bool
    /// The profile's ids at the time, to record the `Segment Entered` / `Segment Exited` event under.
    public var userId: String?
    public var anonymousId: String?
    /// The event that caused it.
    public var causeSeq: Int64
    public var time: Millis
}
