/// A positive interaction folded into its person's history whose updates of the shared models
/// wait: when a group's events are applied on several threads, the models are then updated in
/// log order afterwards, so that they are the same as after a one-thread replay of the log.
public struct ModelObservation: Sendable {
    /// Where the causing event is in its group (set by whoever applies the group).
    public var order: Int
    let item: UInt32
    let weight: Float
    let time: Millis
    let owner: String
    /// The person's item history before the interaction.
    let history: [ItemTouch]
}

extension Recommender {
    /// Gives numbers to the items of `event` that have none, as applying it would: called in log
    /// order before a group's events are applied on several threads, so that items are numbered
    /// in the order a one-thread replay numbers them.
    public func intern(itemsOf event: Event) {
        // As `ProfileBook.apply`: track events only, and not Kairos' own records.
        guard event.type == .track, !event.isSegmentRecord, mapping.rule(for: event) != nil else { return }
        for id in InteractionMapping.itemIds(in: event.json) { _ = index.intern(id) }
    }

    /// Makes deferred model updates, in the order given (log order).
    public func apply(_ observations: [ModelObservation]) {
        for observation in observations {
            updateModels(
                item: observation.item, weight: observation.weight, time: observation.time, owner: observation.owner,
                history: observation.history)
        }
    }
}
