extension ProfileBook {
    /// Finds (or creates) the profile an event belongs to, linking and merging identities on the way.
    ///
    /// - userId and anonymousId together: the anonymous profile merges into the known one
    ///   (an anonymous id already owned by another known customer is left with them: shared device).
    /// - alias: the profile of `previousId` (known or anonymous) merges into the one of `userId`.
    /// A link that already holds changes nothing, so repeated links never double count.
    func resolveIdentities(of event: Event, features: FeatureSet) -> String {
        let time = event.timestamp
        // A known id needs nothing more: the writer keeps the index and the profiles in step, so
        // the profile it points at exists and lists it.
        if let userId = event.userId {
            let userKey = ProfileKey.user(userId)
            let known = resolve(userKey)
            assert(known.map { key in shard(for: key).state.withLock { $0.profiles.index(forKey: key) != nil } } ?? true, "the index points at no profile")
            let target = known ?? userKey
            if known == nil {
                ensureProfile(target, at: time)
                attach(userKey, id: userId, isUser: true, to: target)
            }
            if let anonymousId = event.anonymousId {
                link(ProfileKey.anonymous(anonymousId), id: anonymousId, to: target, mergeKnown: false, features: features)
            }
            if event.type == .alias, let previousId = event.previousId {
                if let source = resolve(ProfileKey.user(previousId)) {
                    if source != target { merge(source, into: target, features: features) }
                } else if resolve(ProfileKey.anonymous(previousId)) != nil {
                    link(ProfileKey.anonymous(previousId), id: previousId, to: target, mergeKnown: true, features: features)
                } else {
                    // Never seen: it may be either kind of id, so later events under either resolve here.
                    attach(ProfileKey.user(previousId), id: previousId, isUser: true, to: target)
                    attach(ProfileKey.anonymous(previousId), id: previousId, isUser: false, to: target)
                }
            }
            return target
        }
        // Anonymous only (the parser guarantees one of the two ids).
        let anonymousId = event.anonymousId ?? ""
        let anonymousKey = ProfileKey.anonymous(anonymousId)
        if let known = resolve(anonymousKey) { return known }
        ensureProfile(anonymousKey, at: time)
        attach(anonymousKey, id: anonymousId, isUser: false, to: anonymousKey)
        return anonymousKey
    }

    /// The profile `event` will apply to, when applying it cannot link or merge identities: it
    /// names one id, or ids that already resolve to the same profile, and is not an alias. `nil`
    /// otherwise. Applying such an event touches only the shard of that key (an unknown id's new
    /// profile is keyed by the id itself), so events for keys in different shards can be applied
    /// concurrently.
    public func settledTarget(of event: Event) -> String? {
        guard event.type != .alias else { return nil }
        if let userId = event.userId {
            let userKey = ProfileKey.user(userId)
            let known = resolve(userKey)
            if let anonymousId = event.anonymousId {
                guard let known, resolve(ProfileKey.anonymous(anonymousId)) == known else { return nil }
            }
            return known ?? userKey
        }
        let anonymousKey = ProfileKey.anonymous(event.anonymousId ?? "")
        return resolve(anonymousKey) ?? anonymousKey
    }

    /// Points an anonymous id key at `target`, merging its current profile in when allowed.
    private func link(_ idKey: String, id: String, to target: String, mergeKnown: Bool, features: FeatureSet) {
        switch resolve(idKey) {
        case nil:
            attach(idKey, id: id, isUser: false, to: target)
        case target?:
            break
        case let current?:
            if mergeKnown || current.hasPrefix("a:") { merge(current, into: target, features: features) }
        }
    }

    private func ensureProfile(_ key: String, at time: Millis) {
        let created = shard(for: key).state.withLock { state -> Bool in
            guard state.profiles.index(forKey: key) == nil else { return false }
            state.profiles[key] = Profile(key: key, at: time)
            return true
        }
        if created {
            profileCounter.add(1, ordering: .relaxed)
            shard(for: key).state.withLock { $0.index[key] = key }
        }
    }

    private func attach(_ idKey: String, id: String, isUser: Bool, to target: String) {
        var isNew = false
        update(target) { profile in
            if isUser {
                if !profile.userIds.contains(id) { profile.userIds.append(id); isNew = true }
            } else if !profile.anonymousIds.contains(id) {
                profile.anonymousIds.append(id)
                isNew = true
            }
        }
        if isNew || resolve(idKey) != target {
            shard(for: idKey).state.withLock { $0.index[idKey] = target }
        }
    }

    /// Folds the profile at `source` into `target` (created if absent) and repoints all its ids.
    ///
    /// Readers never see the person missing: the merged profile and the index are in place before
    /// the source profile is removed.
    func merge(_ source: String, into target: String, features: FeatureSet) {
        guard source != target, let moved = shard(for: source).state.withLock({ $0.profiles[source] }) else { return }
        var created = false
        shard(for: target).state.withLock { state in
            guard var into = state.profiles[target] else {
                var renamed = moved
                renamed.key = target
                renamed.segments = []  // re-evaluated right after, under the new identity
                state.profiles[target] = renamed
                created = true
                return
            }
            for id in moved.userIds where !into.userIds.contains(id) { into.userIds.append(id) }
            for id in moved.anonymousIds where !into.anonymousIds.contains(id) { into.anonymousIds.append(id) }
            into.traits = moved.traits.merging(into.traits) { _, kept in kept }
            into.firstSeen = min(into.firstSeen, moved.firstSeen)
            into.lastSeen = max(into.lastSeen, moved.lastSeen)
            for (name, count) in moved.eventCounts { into.eventCounts[name, default: 0] += count }
            for event in moved.recentEvents { insertRecent(event, into: &into.recentEvents) }
            into.consent = into.consent.merged(with: moved.consent)
            into.features.merge(moved.features, features: features)
            for touch in moved.items { ItemTouch.insert(touch, into: &into.items) }
            state.profiles[target] = into
        }
        if created { profileCounter.add(1, ordering: .relaxed) }
        for idKey in moved.idKeys + [source, target] {
            shard(for: idKey).state.withLock { $0.index[idKey] = target }
        }
        shard(for: source).state.withLock { _ = $0.profiles.removeValue(forKey: source) }
        profileCounter.subtract(1, ordering: .relaxed)
        uncount(moved)
    }
}
