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
    }

    /// Applies a group's stored events (those with a sequence number) to the profiles.
    ///
    /// A group of at least ``Configuration/minimumParallelGroup`` events, none of which links or
    /// merges identities, is split in two lanes by the shard of each event's profile: each lane
    /// applies its events in log order, one on the writer's thread and one on `lane`'s. A person's
    /// events all fall in one lane and in order, and the two lanes never take the same shard's
    /// lock. The transitions and waits are then put back in log order, so that what is written
    /// after the group is the same as with one lane.
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
        return Applied(
            transitions: Self.merge(mine.transitions, theirs.transitions, offset: \.offset).map(\.transition),
            waits: Self.merge(mine.waits, theirs.waits, offset: \.offset).map(\.wait))
    }

    /// Each stored event's lane (0 or 1, by the shard of its profile), or `nil` when the group is
    /// applied on one thread: it is small, or one of its events links identities (which may touch
    /// profiles of both lanes, and changes where later events of the group belong).
    func lanes(of events: [Event], sequence: [Int64?]) -> [UInt8]? {
        guard events.count >= configuration.minimumParallelGroup else { return nil }
        var lanes = [UInt8](repeating: 0, count: events.count)
        for offset in events.indices where sequence[offset] != nil {
            guard let target = profiles.settledTarget(of: events[offset]) else { return nil }
            lanes[offset] = UInt8(truncatingIfNeeded: profiles.shardNumber(of: target) & 1)
        }
        return lanes
    }

    /// Applies the stored events of one lane (all of them when `lanes` is nil), in log order, with
    /// the triggers they start.
    func applyLane(
        _ events: [Event], sequence: [Int64?], lanes: [UInt8]?, lane: UInt8, triggerSet: TriggerSet
    ) -> LaneOutput {
        var output = LaneOutput()
        for offset in events.indices where sequence[offset] != nil {
            if let lanes, lanes[offset] != lane { continue }
            // Triggers are tested in the context the profile's segments were evaluated in.
            let applied = profiles.apply(events[offset], conditions: triggers.reads(for: events[offset], in: triggerSet))
            for transition in applied.transitions { output.transitions.append((offset, transition)) }
            for wait in triggers.waits(for: events[offset], profiles: profiles, in: triggerSet, applied: applied.context) {
                output.waits.append((offset, wait))
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
