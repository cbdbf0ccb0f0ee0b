import KairosCore

extension IngestPipeline {
    /// What applying a group's events produced, in log order.
    struct Applied {
        var transitions: [SegmentTransition] = []
        var waits: [PendingWait] = []
    }

    /// What one lane produced, tagged with each item's event position in the group (ascending).
    struct LaneOutput: Sendable {
        var transitions: [(offset: Int, transition: SegmentTransition)] = []
        var waits: [(offset: Int, wait: PendingWait)] = []
        /// Updates of the shared recommendation models, made after both lanes, in log order.
        var models: [ModelObservation]? = nil
    }

    /// Applies a group's stored events (those with a sequence number) to the profiles, and
    /// observes offer outcomes among them.
    ///
    /// A group of at least ``Configuration/minimumParallelGroup`` events, none of which links or
    /// merges identities, is split in two lanes by a bit of each event's profile key's hash: each lane
    /// applies its events in log order, one on the writer's thread and one on `lane`'s. A person's
    /// events all fall in one lane and in order, so each profile is written by one lane only.
    /// What is shared and depends on order is done after both lanes, in log order: the segment
    /// transitions and waits are merged back, the recommendation models are updated (their items
    /// numbered before the lanes start), and offer outcomes are observed. The result is the same
    /// as with one lane, and as a one-thread replay of the log.
    func apply(
        _ events: [Event], sequence: [Int64?], triggerSet: TriggerSet, lane: WriterExecutor?
    ) async -> Applied {
        guard let lane, let lanes = lanes(of: events, sequence: sequence) else {
            let output = applyLane(events, sequence: sequence, lanes: nil, lane: 0, triggerSet: triggerSet)
            return Applied(transitions: output.transitions.map(\.transition), waits: output.waits.map(\.wait))
        }
        let other = Task(executorPreference: lane) { [self] in
            applyLane(events, sequence: sequence, lanes: lanes, lane: 1, triggerSet: triggerSet)
        }
        let mine = applyLane(events, sequence: sequence, lanes: lanes, lane: 0, triggerSet: triggerSet)
        let theirs = await other.value
        profiles.recommender.apply(Self.merge(mine.models ?? [], theirs.models ?? [], offset: \.order))
        // No event of the group links people, so every owner is what it was when it was applied.
        events.withUnsafeBufferPointer { events in
            for offset in events.indices where sequence[offset] != nil { observeOffers(events[offset]) }
        }
        return Applied(
            transitions: Self.merge(mine.transitions, theirs.transitions, offset: \.offset).map(\.transition),
            waits: Self.merge(mine.waits, theirs.waits, offset: \.offset).map(\.wait))
    }

    /// Feeds an outcome event (one naming a decision, or an offer's dismissal or acceptance) to
    /// the offers' models and history.
    func observeOffers(_ event: Event) {
        guard event.decisionId != nil || Self.isOfferResponse(event) else { return }
        offers.observe(event, person: ownerKeys(of: event).first, now: event.receivedAt)
    }

    /// Each stored event's lane (0 or 1, by its profile key), or `nil` when the group is
    /// applied on one thread: it is small, or one of its events links identities (which may touch
    /// profiles of both lanes, and changes where later events of the group belong).
    func lanes(of events: [Event], sequence: [Int64?]) -> [UInt8]? {
        guard events.count >= max(2, configuration.minimumParallelGroup) else { return nil }
        // Through a buffer: `events[offset]` of an array copies the event (a dozen references).
        return events.withUnsafeBufferPointer { events -> [UInt8]? in
            var lanes = [UInt8](repeating: 0, count: events.count)
            for offset in events.indices where sequence[offset] != nil {
                guard let target = profiles.settledTarget(of: events[offset]) else { return nil }
                lanes[offset] = Self.lane(of: target)
            }
            // Items are numbered in log order, as applying the group on one thread would.
            for offset in events.indices where sequence[offset] != nil { profiles.recommender.intern(itemsOf: events[offset]) }
            return lanes
        }
    }

    /// The lane of a profile key: one bit of its mixed hash.
    static func lane(of key: String) -> UInt8 {
        UInt8(truncatingIfNeeded: ProfileBook.mixedHash(key) & 1)
    }

    /// Applies the stored events of one lane (all of them when `lanes` is nil), in log order, with
    /// the triggers they start.
    func applyLane(
        _ events: [Event], sequence: [Int64?], lanes: [UInt8]?, lane: UInt8, triggerSet: TriggerSet
    ) -> LaneOutput {
        var output = LaneOutput()
        if lanes != nil { output.models = [] }
        // Through a buffer: `events[offset]` of an array copies the event (a dozen references).
        events.withUnsafeBufferPointer { events in
            for offset in events.indices where sequence[offset] != nil {
                if let lanes, lanes[offset] != lane { continue }
                let deferred = output.models?.count ?? 0
                // Triggers are tested in the context the profile's segments were evaluated in.
                let applied = profiles.apply(
                    events[offset], conditions: triggers.reads(for: events[offset], in: triggerSet), deferringModels: &output.models)
                if output.models != nil {
                    for index in deferred..<output.models!.count { output.models![index].order = offset }
                } else {
                    observeOffers(events[offset])  // on one thread, in log order, right after the event
                }
                for transition in applied.transitions { output.transitions.append((offset, transition)) }
                for wait in triggers.waits(for: events[offset], profiles: profiles, in: triggerSet, applied: applied.context) {
                    output.waits.append((offset, wait))
                }
            }
        }
        return output
    }

    /// Merges two lists sorted by `offset`, the first list's items first among equal offsets.
    static func merge<Item>(_ first: [Item], _ second: [Item], offset: (Item) -> Int) -> [Item] {
        guard !second.isEmpty else { return first }
        guard !first.isEmpty else { return second }
        var merged: [Item] = []
        merged.reserveCapacity(first.count + second.count)
        var i = 0
        var j = 0
        while i < first.count && j < second.count {
            if offset(second[j]) < offset(first[i]) {
                merged.append(second[j])
                j += 1
            } else {
                merged.append(first[i])
                i += 1
            }
        }
        merged += first[i...]
        merged += second[j...]
        return merged
    }
}
