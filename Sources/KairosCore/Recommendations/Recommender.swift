import Synchronization

/// The online recommendation models, fed by the single writer as events are applied and read by
/// decisions from any thread: item-to-item co-visitation, session neighbours, popularity and
/// trending, and content similarity over the in-memory catalog.
public final class Recommender: Sendable {
    public let index: ItemIndex
    public let catalog: Catalog
    public let coVisitation = CoVisitation()
    public let sessions: SessionNeighbours
    public let popularity = Popularity()
    public let mapping: InteractionMapping
    private let contentIndex = Mutex(ContentIndex.empty)
    private let placementSet = Mutex(PlacementSet.empty)

    public init(mapping: InteractionMapping = .standard, sessionCapacity: Int = 50_000) {
        let index = ItemIndex()
        self.index = index
        self.catalog = Catalog(index: index)
        self.mapping = mapping
        self.sessions = SessionNeighbours(capacity: sessionCapacity)
    }

    /// The placements in force.
    public var placements: PlacementSet { placementSet.withLock { $0 } }

    /// Puts new placements in force (swapped whole).
    public func install(_ placements: PlacementSet) { placementSet.withLock { $0 = placements } }

    /// The content index in force.
    public var content: ContentIndex { contentIndex.withLock { $0 } }

    /// Folds an event into the models and the profile's item history (called by the writer, in
    /// log order, under the profile's lock). With `deferred` not nil, the models are left as they
    /// are and what the event calls for is appended to it instead (see ``apply(_:)``).
    func observe(_ event: Event, owner: String, history: inout [ItemTouch], deferring deferred: inout [ModelObservation]?) {
        guard let rule = mapping.rule(for: event) else { return }
        for id in InteractionMapping.itemIds(in: event.json) {
            observe(item: id, rule: rule, time: event.timestamp, owner: owner, history: &history, deferring: &deferred)
        }
    }

    /// Folds one interaction into the models and the person's history (the same path for live
    /// events and for offline evaluation).
    public func observe(item id: String, rule: InteractionMapping.Rule, time: Millis, owner: String, history: inout [ItemTouch]) {
        var direct: [ModelObservation]? = nil
        observe(item: id, rule: rule, time: time, owner: owner, history: &history, deferring: &direct)
    }

    private func observe(
        item id: String, rule: InteractionMapping.Rule, time: Millis, owner: String, history: inout [ItemTouch],
        deferring deferred: inout [ModelObservation]?
    ) {
        let item = index.intern(id)
        if rule.kind == .positive && rule.weight > 0 {
            if deferred != nil {
                deferred!.append(ModelObservation(order: 0, item: item, weight: rule.weight, time: time, owner: owner, history: history))
            } else {
                updateModels(item: item, weight: rule.weight, time: time, owner: owner, history: history)
            }
        }
        ItemTouch.insert(
            ItemTouch(item: item, time: time, kind: rule.kind, weight: rule.weight, conversion: rule.conversion),
            into: &history)
    }

    /// Folds a positive interaction into the shared models; `history` is the person's before it.
    func updateModels(item: UInt32, weight: Float, time: Millis, owner: String, history: [ItemTouch]) {
        coVisitation.observe(item: item, weight: weight, time: time, history: history)
        sessions.observe(owner: owner, item: item, time: time)
        popularity.observe(item: item, weight: weight, time: time)
    }

    /// Rebuilds the read-mostly snapshots: ranked popularity lists, and the content index when
    /// the catalog changed. Runs off the hot path (the model refresher).
    public func refresh() {
        popularity.refresh(catalog: catalog)
        if content.version != catalog.version {
            let next = ContentIndex.build(from: catalog)
            contentIndex.withLock { $0 = next }
        }
    }
}
