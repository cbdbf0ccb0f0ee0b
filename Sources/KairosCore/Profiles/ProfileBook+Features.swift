extension ProfileBook {
    /// Puts a new feature set in force and drops the state of features that left it.
    /// Must be called by the single writer, between events.
    public func install(_ features: FeatureSet) {
        let previous = featureSet.withLock { current -> FeatureSet in
            defer { current = features }
            return current
        }
        let retired = Set(previous.features.map(\.slot)).subtracting(features.features.map(\.slot))
        guard !retired.isEmpty else { return }
        for shard in shards {
            shard.state.withLock { state in
                // In place, by index: iterating `keys` while changing values copies the shard's table.
                var index = state.profiles.values.startIndex
                while index != state.profiles.values.endIndex {
                    state.profiles.values[index].features.remove(slots: retired)
                    state.profiles.values.formIndex(after: &index)
                }
            }
        }
    }

    /// Folds one historical event into the given (new) feature slots of the profile it belongs to
    /// now. Used to backfill a new or changed feature; identities are not touched.
    public func backfill(_ event: Event, slots: Set<UInt16>) {
        guard event.type != .consent, !event.isSegmentRecord else { return }
        let features = self.features
        let idKey = event.userId.map(ProfileKey.user) ?? ProfileKey.anonymous(event.anonymousId ?? "")
        for _ in 0..<4 {
            guard let key = resolve(idKey) ?? event.anonymousId.flatMap({ resolve(ProfileKey.anonymous($0)) }) else { return }
            let applied = shard(for: key).state.withLock { state -> Bool in
                guard var profile = state.profiles[key] else { return false }
                state.profiles[key] = nil  // keep the profile uniquely referenced while it changes
                let context = evaluationContext(event, profile, features)
                profile.features.update(time: event.timestamp, context: context, features: features, only: slots)
                state.profiles[key] = profile
                return true
            }
            if applied { return }
        }
    }

    /// Feature values of the profile behind `id`, at `now`.
    public func featureValues(of profile: Profile, now: Millis) -> [String: ExpressionValue] {
        profile.features.values(features, now: now)
    }

    /// What expressions see for `event` on `profile`: `now` is the event's receive time, so that
    /// applying the same log again gives the same state.
    func evaluationContext(_ event: Event, _ profile: Profile, _ features: FeatureSet) -> EvaluationContext {
        var context = EvaluationContext(event, now: event.receivedAt)
        if features.profileReads != .none { context.profile = Self.profileJSON(profile, reads: features.profileReads) }
        if features.needsFeatureValues {
            context.features = profile.features.values(features, now: event.receivedAt)
        }
        return context
    }

    /// The event's JSON rebuilt from its columns, for replays that need no body.
    public static func minimalJSON(_ event: Event) -> JSONValue {
        var fields: [String: JSONValue] = [
            "type": .string(event.type.rawValue), "messageId": .string(event.messageId),
            "timestamp": .string(Timestamp.format(event.timestamp)),
        ]
        if let name = event.name { fields[event.type == .track ? "event" : "name"] = .string(name) }
        if let userId = event.userId { fields["userId"] = .string(userId) }
        if let anonymousId = event.anonymousId { fields["anonymousId"] = .string(anonymousId) }
        if let traits = event.traits { fields["traits"] = .object(traits) }
        return .object(fields)
    }
}
