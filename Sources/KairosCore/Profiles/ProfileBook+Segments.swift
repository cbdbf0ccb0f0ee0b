extension ProfileBook {
    /// The segments in force.
    public var segments: SegmentSet { segmentSet.withLock { $0 } }

    /// Number of members per segment id.
    public var segmentSizes: [String: Int] {
        let set = segments
        let counts = segmentCounts.withLock { $0 }
        var sizes: [String: Int] = [:]
        for segment in set.segments { sizes[segment.definition.id] = counts[segment.slot] ?? 0 }
        return sizes
    }

    /// Puts a new segment set in force and evaluates every profile against the new or changed
    /// segments (without recording transitions: a definition change is not a customer's move).
    /// Must be called by the single writer, between events.
    public func install(_ set: SegmentSet, now: Millis) {
        let previous = segmentSet.withLock { current -> SegmentSet in
            defer { current = set }
            return current
        }
        let previousSlots = Set(previous.segments.map(\.slot))
        let slots = Set(set.segments.map(\.slot))
        // A change of features or triggers only: memberships stay as they are.
        guard previousSlots != slots else { return }
        let kept = previousSlots.intersection(slots)
        let evaluate = !slots.subtracting(kept).isEmpty
        let features = self.features
        var counts: [UInt16: Int] = [:]
        for shard in shards {
            shard.state.withLock { state in
                // In place, by index: iterating `keys` while changing values copies the shard's table.
                var index = state.profiles.values.startIndex
                while index != state.profiles.values.endIndex {
                    state.profiles.values[index].segments.removeAll { !kept.contains($0) }
                    if evaluate {
                        _ = evaluateSegments(
                            &state.profiles.values[index], event: nil, features: features, segments: set, now: now, onlyNew: kept)
                    }
                    for slot in state.profiles.values[index].segments { counts[slot, default: 0] += 1 }
                    state.profiles.values.formIndex(after: &index)
                }
            }
        }
        segmentCounts.withLock { $0 = counts }
    }

    /// Re-evaluates the profile's memberships after `event`; returns what changed and, with
    /// `conditions`, the context the segments were evaluated in, holding what they read as well.
    func evaluateSegments(
        _ profile: inout Profile, event: Event?, features: FeatureSet, segments: SegmentSet, now: Millis,
        onlyNew kept: Set<UInt16>? = nil, conditions: ConditionReads? = nil
    ) -> (transitions: [SegmentTransition], context: EvaluationContext?) {
        guard !segments.segments.isEmpty || conditions != nil else { return ([], nil) }
        var context: EvaluationContext
        if let event { context = EvaluationContext(event, now: now) } else { context = EvaluationContext(now: now) }
        let reads = max(segments.profileReads, conditions?.profile ?? .none)
        if reads != .none { context.profile = Self.profileJSON(profile, reads: reads) }
        context.features = profile.features.values(of: segments.referencedFeatures, features, now: now)
        if let conditions { profile.features.add(conditions.features, to: &context.features, features, now: now) }
        // The names only when a condition reads them (they are kept up to date as memberships change).
        let names = segments.readsSegments || conditions?.segments == true
        if names { context.segments = Self.segmentNames(profile, segments) }
        var transitions: [SegmentTransition] = []
        for segment in segments.segments {
            if let kept, kept.contains(segment.slot) { continue }
            let member = segment.condition.matches(context)
            let index = profile.segments.firstIndex(of: segment.slot)
            if member && index == nil {
                profile.segments.append(segment.slot)
                if names { context.segments.append(segment.definition.id) }
                transitions.append(transition(segment, entered: true, profile, event, now))
            } else if !member, let index {
                profile.segments.remove(at: index)
                if names { context.segments.removeAll { $0 == segment.definition.id } }
                transitions.append(transition(segment, entered: false, profile, event, now))
            }
        }
        return (transitions, conditions != nil ? context : nil)
    }

    private func transition(
        _ segment: SegmentSet.Compiled, entered: Bool, _ profile: Profile, _ event: Event?, _ now: Millis
    ) -> SegmentTransition {
        SegmentTransition(
            segment: segment.definition.id, entered: entered, userId: profile.userId,
            anonymousId: profile.userId == nil ? profile.anonymousIds.first : nil, causeSeq: event?.seq ?? 0,
            time: event?.timestamp ?? now)
    }

    /// Adjusts member counts for transitions applied by the writer.
    func count(_ transitions: [SegmentTransition], segments: SegmentSet) {
        guard !transitions.isEmpty else { return }
        segmentCounts.withLock { counts in
            for transition in transitions {
                guard let slot = segments.segment(id: transition.segment)?.slot else { continue }
                counts[slot, default: 0] += transition.entered ? 1 : -1
            }
        }
    }

    /// Removes a profile's memberships from the counts (erasure, or merged away).
    func uncount(_ profile: Profile) {
        guard !profile.segments.isEmpty else { return }
        segmentCounts.withLock { counts in
            for slot in profile.segments { counts[slot, default: 0] -= 1 }
        }
    }

    /// The `profile.*` object expressions see. `reads: .traits` gives only ids and traits (what
    /// most conditions read), which is much cheaper to build on every event.
    static func profileJSON(_ profile: borrowing Profile, reads: ProfileReads = .full) -> JSONValue {
        var fields: [String: JSONValue] = ["traits": .object(profile.traits)]
        if let userId = profile.userId { fields["userId"] = .string(userId) }
        guard reads == .full else { return .object(fields) }
        fields["eventCounts"] = .object(profile.eventCounts.mapValues { .number(Double($0)) })
        fields["eventTotal"] = .number(Double(profile.eventTotal))
        fields["firstSeen"] = .string(Timestamp.format(profile.firstSeen))
        fields["lastSeen"] = .string(Timestamp.format(profile.lastSeen))
        fields["consent"] = profile.consent.json["purposes"] ?? .null
        return .object(fields)
    }
}

extension ProfileBook {
    /// What expressions see about `profile` (with `event`, if any): its traits and counters,
    /// every feature value and its segments at `now`.
    public func expressionContext(_ profile: Profile, event: Event?, now: Millis) -> EvaluationContext {
        var context = event.map { EvaluationContext($0, now: now) } ?? EvaluationContext(now: now)
        context.profile = Self.profileJSON(profile)
        context.features = profile.features.values(features, now: now)
        context.segments = Self.segmentNames(profile, segments)
        return context
    }

    /// Adds to `context` what a rule reads about the person behind `idKey`: `profile.*` only as
    /// far as `reads` asks, the selected feature values and the segments. Read under the
    /// profile's shard lock, as the writer evaluates segments (the profile is not copied out).
    /// `false`, with `context` unchanged, when the person is unknown.
    public func fill(
        _ context: inout EvaluationContext, idKey: String, profile reads: ProfileReads, features only: FeatureSelection
    ) -> Bool {
        let features = self.features
        let segments = self.segments
        let now = context.now
        let found: Void? = read(idKey: idKey) { profile in
            if reads != .none { context.profile = Self.profileJSON(profile, reads: reads) }
            if !only.ids.isEmpty { context.features = profile.features.values(of: only, features, now: now) }
            context.segments = Self.segmentNames(profile, segments)
        }
        return found != nil
    }

    /// Ids of the segments the profile is in.
    static func segmentNames(_ profile: borrowing Profile, _ segments: SegmentSet) -> [String] {
        profile.segments.compactMap { segments.segment(slot: $0)?.definition.id }
    }
}
