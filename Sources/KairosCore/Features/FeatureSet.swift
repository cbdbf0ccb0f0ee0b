/// The compiled, immutable set of feature definitions in force. Built off the hot path when
/// definitions change and swapped in whole.
public final class FeatureSet: Sendable {
    /// Buckets a window is cut into (a 5m window has 25 s buckets, 7d has 14 h buckets).
    public static let bucketsPerWindow: Int64 = 12
    /// Most distinct values remembered per feature and profile.
    public static let distinctCap = 100
    /// Most categorical values counted per feature and profile (top-N).
    public static let tallyCap = 32

    /// One compiled feature (a reference, so iterating the set on every event copies nothing).
    public final class Compiled: Sendable {
        public let slot: UInt16
        public let definition: FeatureDefinition
        let filter: Expression?
        let value: Expression?
        /// Bucket width in milliseconds; 0 for lifetime features (a single bucket).
        let bucketWidth: Millis
        /// Position of the filter among the set's distinct filters (features with the same filter
        /// text share one evaluation per event); -1 without a filter.
        let filterIndex: Int
        /// Position of the value expression among the set's distinct value texts (evaluated once
        /// per event however many features read it); -1 without a value.
        let valueIndex: Int
        /// Copies of the definition's hot fields (reading them from `definition` would copy, retain
        /// and release its strings on every event).
        let aggregation: FeatureDefinition.Aggregation
        let window: Millis?
        let isSession: Bool
        let topN: Int

        init(
            slot: UInt16, definition: FeatureDefinition, filter: Expression?, value: Expression?, bucketWidth: Millis,
            filterIndex: Int = -1, valueIndex: Int = -1
        ) {
            self.slot = slot
            self.definition = definition
            self.filter = filter
            self.value = value
            self.bucketWidth = bucketWidth
            self.filterIndex = filter == nil ? -1 : filterIndex
            self.valueIndex = value == nil ? -1 : valueIndex
            self.aggregation = definition.aggregation
            self.window = definition.window
            self.isSession = definition.isSession
            self.topN = definition.topN
        }
    }

    /// Features in evaluation order (a feature after those its filter or value refers to).
    public let features: [Compiled]
    let slotIndex: [UInt16: Int]
    let idIndex: [String: Int]
    /// Types of `features.<id>` for other expressions.
    public let environment: ExpressionEnvironment
    /// Whether some expression reads event properties, context or traits (the event body is then
    /// parsed on replay and backfill).
    public let needsEventBody: Bool
    /// How much of `profile.*` the filters and values read.
    public let profileReads: ProfileReads
    let needsFeatureValues: Bool
    /// Number of distinct filter texts (see ``Compiled/filterIndex``).
    let filterCount: Int
    /// Number of distinct value texts (see ``Compiled/valueIndex``).
    let valueCount: Int
    /// Slots of the session features (cleared when a new session starts).
    let sessionSlots: Set<UInt16>
    /// Inactivity that ends a session (the shortest of the session features' timeouts).
    public let sessionTimeout: Millis
    /// The narrowest bucket of any windowed feature: expired buckets are pruned at most once per
    /// such width of progress in event time.
    let pruneInterval: Millis

    /// The next slot number to hand out. Slots are never reused within a process, so state a
    /// retired feature left behind can never be mistaken for a new feature's.
    let nextSlot: UInt16

    public static let empty = FeatureSet(features: [], nextSlot: 0)

    init(features: [Compiled], nextSlot: UInt16) {
        self.features = features
        self.nextSlot = nextSlot
        var slots: [UInt16: Int] = [:]
        var ids: [String: Int] = [:]
        for (index, feature) in features.enumerated() {
            slots[feature.slot] = index
            ids[feature.definition.id] = index
        }
        slotIndex = slots
        idIndex = ids
        environment = ExpressionEnvironment(
            features: Dictionary(uniqueKeysWithValues: features.map { ($0.definition.id, $0.definition.resultType) }))
        let sources = features.flatMap { [$0.definition.filter, $0.definition.value].compactMap { $0 } }
        needsEventBody = sources.contains { Self.readsEventBody($0) }
        profileReads = ProfileReads(of: sources)
        filterCount = (features.map(\.filterIndex).max() ?? -1) + 1
        valueCount = (features.map(\.valueIndex).max() ?? -1) + 1
        needsFeatureValues = features.contains { !($0.filter?.referencedFeatures.isEmpty ?? true) || !($0.value?.referencedFeatures.isEmpty ?? true) }
        sessionSlots = Set(features.filter(\.isSession).map(\.slot))
        sessionTimeout = features.filter(\.definition.isSession).map(\.definition.sessionTimeout).min() ?? 30 * 60_000
        pruneInterval = features.map(\.bucketWidth).filter { $0 > 0 }.min() ?? Millis.max
    }

    /// Whether an expression's source may read more of the event than its name, type, ids and time.
    static func readsEventBody(_ source: String) -> Bool {
        source.contains("properties") || source.contains("context") || source.contains("traits") || source.contains("event[")
    }

    public func feature(id: String) -> Compiled? { idIndex[id].map { features[$0] } }
    func feature(slot: UInt16) -> Compiled? { slotIndex[slot].map { features[$0] } }

    /// Compiles definitions into a set. Unchanged definitions keep their slot from `previous`
    /// (their state stays valid); new or changed ones get fresh slots and need a backfill.
    ///
    /// Fails with a 422 naming the feature, the field and the line and column of the problem,
    /// for bad syntax, type errors, unknown features and dependency cycles.
    public static func compile(_ definitions: [FeatureDefinition], previous: FeatureSet = .empty) throws(APIError) -> FeatureSet {
        var seen = Set<String>()
        for (position, definition) in definitions.enumerated() where !seen.insert(definition.id).inserted {
            throw APIError(status: 422, code: "duplicate_id", message: "feature '\(definition.id)' is defined twice", field: "id", index: position)
        }
        let environment = ExpressionEnvironment(
            features: Dictionary(uniqueKeysWithValues: definitions.map { ($0.id, $0.resultType) }))
        var compiled: [(FeatureDefinition, Expression?, Expression?)] = []
        for definition in definitions {
            let filter = try compileExpression(definition.filter, feature: definition.id, field: "filter", condition: true, environment)
            let value = try compileExpression(definition.value, feature: definition.id, field: "value", condition: false, environment)
            compiled.append((definition, filter, value))
        }
        let order = try dependencyOrder(compiled)
        var slots = SlotAllocator(next: previous.nextSlot, kind: "features")
        var result: [Compiled] = []
        var filterIndexes: [String: Int] = [:]
        var valueIndexes: [String: Int] = [:]
        for index in order {
            let (definition, filter, value) = compiled[index]
            let old = previous.feature(id: definition.id).flatMap { $0.definition == definition ? $0.slot : nil }
            let slot = try slots.slot(keeping: old)
            let width = definition.window.map { Swift.max(1000, $0 / bucketsPerWindow) } ?? 0
            let filterIndex = intern(definition.filter, in: &filterIndexes)
            let valueIndex = intern(definition.value, in: &valueIndexes)
            result.append(
                Compiled(
                    slot: slot, definition: definition, filter: filter, value: value, bucketWidth: width,
                    filterIndex: filterIndex, valueIndex: valueIndex))
        }
        return FeatureSet(features: result, nextSlot: slots.next)
    }

    /// The position of `source` among the distinct texts seen so far (a new one gets the next);
    /// -1 without a source.
    private static func intern(_ source: String?, in table: inout [String: Int]) -> Int {
        guard let source else { return -1 }
        if let known = table[source] { return known }
        table[source] = table.count
        return table.count - 1
    }

    private static func compileExpression(
        _ source: String?, feature: String, field: String, condition: Bool, _ environment: ExpressionEnvironment
    ) throws(APIError) -> Expression? {
        guard let source else { return nil }
        do {
            return condition
                ? try Expression.compileCondition(source, environment: environment)
                : try Expression.compile(source, environment: environment)
        } catch {
            throw APIError.expression(error, field: field, in: "feature '\(feature)'")
        }
    }

    /// Topological order of features by the features their expressions refer to; a cycle is a 422.
    private static func dependencyOrder(_ compiled: [(FeatureDefinition, Expression?, Expression?)]) throws(APIError) -> [Int] {
        let ids = compiled.map(\.0.id)
        let index = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        let dependencies = compiled.map { _, filter, value in
            (filter?.referencedFeatures ?? []).union(value?.referencedFeatures ?? []).sorted().compactMap { index[$0] }
        }
        return try DependencyOrder.sort(ids: ids, dependencies: dependencies, kind: "features", field: "filter")
    }
}

extension APIError {
    /// A 422 for an expression that does not compile, with its line and column.
    public static func expression(_ error: ExpressionError, field: String, in owner: String) -> APIError {
        var result = APIError(
            status: 422, code: "invalid_expression",
            message: "\(owner), \(field), line \(error.line), column \(error.column): \(error.message)", field: field)
        result.line = error.line
        result.column = error.column
        return result
    }
}
