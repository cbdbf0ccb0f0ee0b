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
    /// Gives numbers to the items of `event` that have none, as observing it would: called in
    /// log order before a group's events are applied on several threads, so that items are
    /// numbered in the order a one-thread replay numbers them.
    public func intern(itemsOf event: Event) {
        guard mapping.rule(for: event) != nil else { return }
        for id in InteractionMapping.itemIds(in: event.json) { _ = index.intern(id) }
    }

    /// Folds an event into the person's history only, and hands back the model updates it calls
    /// for in `deferred` (see ``apply(_:)``).
    func observe(_ event: Event, owner: String, history: inout [ItemTouch], deferring deferred: inout [ModelObservation]) {
        guard let rule = mapping.rule(for: event) else { return }
        for id in InteractionMapping.itemIds(in: event.json) {
            let item = index.intern(id)
            if rule.kind == .positive && rule.weight > 0 {
                deferred.append(
                    ModelObservation(order: 0, item: item, weight: rule.weight, time: event.timestamp, owner: owner, history: history))
            }
            ItemTouch.insert(
                ItemTouch(item: item, time: event.timestamp, kind: rule.kind, weight: rule.weight, conversion: rule.conversion),
                into: &history)
        }
    }

    /// Makes deferred model updates, in the order given (log order).
    public func apply(_ observations: [ModelObservation]) {
        for observation in observations {
            coVisitation.observe(item: observation.item, weight: observation.weight, time: observation.time, history: observation.history)
            sessions.observe(owner: observation.owner, item: observation.item, time: observation.time)
            popularity.observe(item: observation.item, weight: observation.weight, time: observation.time)
        }
    }
}
