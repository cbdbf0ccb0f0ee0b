import KairosCore
import KairosStore
import Logging

extension IngestPipeline {
    /// Writes one group of submissions in one transaction, applies what was stored to the
    /// profiles in log order, then answers every submitter. Returns the group's segment records,
    /// to be written with the next group: `earlier`, the previous group's records, are written
    /// while this group is applied (they follow this group in the log) and applied after it.
    func commit(_ batch: consuming Batch, after earlier: [Event], lane: WriterExecutor? = nil) async -> [Event] {
        let started = ContinuousClock.now
        let total = batch.reduce(0) { $0 + $1.events.count }
        var outcomes = [Outcome](repeating: .duplicate, count: total)
        var toStore: [Event] = []
        var positions: [Int] = []
        toStore.reserveCapacity(total)
        positions.reserveCapacity(total)
        var seenMessageIds = Set<String>(minimumCapacity: total)
        // Consent changes made by earlier events of this same batch, by canonical key.
        var consentChanges: [String: [String: Bool]] = [:]

        var position = 0
        for index in batch.indices {
            let submission = batch[index]
            for original in submission.events {
                defer { position += 1 }
                guard seenMessageIds.insert(original.messageId).inserted else { continue }
                var event = original
                let owners = ownerKeys(of: event)
                if let change = event.consent {
                    for owner in owners { consentChanges[owner, default: [:]].merge(change) { _, new in new } }
                }
                let allowsAnalytics =
                    owners.lazy.compactMap { consentChanges[$0]?[Consent.analytics] }.first
                    ?? profiles.allows(Consent.analytics, userId: event.userId, anonymousId: event.anonymousId)
                if !allowsAnalytics && event.type != .consent {
                    guard event.consent != nil else {
                        outcomes[position] = .withheld
                        continue
                    }
                    event = event.consentRecord()
                }
                toStore.append(event)
                positions.append(position)
            }
        }

        let sequence: [Int64?]
        do {
            sequence = toStore.isEmpty ? [] : try await store.append(toStore)
        } catch {
            logger.error("commit failed; nothing was stored", metadata: ["error": "\(error)", "events": "\(total)"])
            metrics.commitFailures.increment()
            let failure = APIError(status: 503, code: "storage_unavailable", message: "events could not be stored")
            for index in batch.indices { batch[index].continuation.resume(throwing: failure) }
            await commitDerived(earlier)
            return []
        }
        // The store writes the previous group's records while the writer applies this group.
        let earlierWrite = earlier.isEmpty ? nil : store.beginAppend(earlier)
        for (offset, seq) in sequence.enumerated() {
            guard let seq else { continue }
            toStore[offset].seq = seq  // in place: copying an event retains each of its fields
            outcomes[positions[offset]] = .stored(seq)
        }
        let triggerSet = triggers.triggers  // one set for the group, even if another is installed meanwhile
        let applied = await apply(toStore, sequence: sequence, triggerSet: triggerSet, lane: lane)
        if let last = sequence.last(where: { $0 != nil }) { lastApplied.store(last!, ordering: .relaxed) }
        let transitions = applied.transitions
        await storeWaits(applied.waits)
        metrics.record(outcomes: outcomes, duration: ContinuousClock.now - started, profiles: profiles.count)

        // The writer lets go of the events before answering, so that each submitter, not the
        // writer, frees its own (see `submit`).
        let answers = batch.map { (count: $0.events.count, continuation: $0.continuation) }
        batch = []
        toStore = []
        var start = 0
        for answer in answers {
            let end = start + answer.count
            answer.continuation.resume(returning: Array(outcomes[start..<end]))
            start = end
        }
        if let earlierWrite { await applyDerived(earlier, sequence: derivedSequence(await earlierWrite.result)) }
        guard !transitions.isEmpty else { return [] }
        let now = Timestamp.now()
        return transitions.map { Event.segmentRecord($0, receivedAt: now) }
    }

    /// Dismissals and acceptances sent without a decision id still rest the offer they name.
    static func isOfferResponse(_ event: Event) -> Bool {
        guard event.name == OfferDefinition.dismissedEvent || event.name == OfferDefinition.acceptedEvent else { return false }
        return OfferEngine.offerNamed(in: event) != nil
    }

    /// Makes the trigger waits of acknowledged events durable before answering (a trigger without
    /// a wait is a wait due at once), and wakes the scheduler.
    func storeWaits(_ waits: [PendingWait]) async {
        guard !waits.isEmpty else { return }
        do {
            try await store.insertWaits(waits)
            triggers.doorbell.ring()
        } catch {
            logger.error("trigger waits could not be stored", metadata: ["error.type": "\(type(of: error))"])
        }
    }

    /// Writes segment records and applies them (a flush of what no next group carried).
    func commitDerived(_ events: [Event]) async {
        guard !events.isEmpty else { return }
        await applyDerived(events, sequence: derivedSequence(await store.beginAppend(events).result))
    }

    /// The sequence numbers of written segment records; `nil` when the write failed (logged).
    func derivedSequence(_ result: Result<[Int64?], any Error>) -> [Int64?]? {
        switch result {
        case .success(let sequence): return sequence
        case .failure(let error):
            logger.error("segment records could not be stored", metadata: ["error.type": "\(type(of: error))"])
            return nil
        }
    }

    /// Applies written segment records in log order, as a group's events are, and stores the
    /// trigger waits they start.
    func applyDerived(_ events: [Event], sequence: [Int64?]?) async {
        guard let sequence else { return }
        // A copy with the sequence numbers: the caller (and the store, until its write ends)
        // still holds the list.
        var records = events
        for (offset, seq) in sequence.enumerated() { if let seq { records[offset].seq = seq } }
        let applied = await apply(records, sequence: sequence, triggerSet: triggers.triggers, lane: nil)
        if let last = sequence.last(where: { $0 != nil }) { lastApplied.store(last!, ordering: .relaxed) }
        await storeWaits(applied.waits)
    }

    /// The keys under which batch-local consent changes of this event's person are tracked: its
    /// user's and its anonymous id's (each resolved), user first — so a change made under one id
    /// is seen by a later event of the same batch that links the two.
    func ownerKeys(of event: Event) -> [String] {
        var keys: [String] = []
        if let userId = event.userId {
            let key = ProfileKey.user(userId)
            keys.append(profiles.resolve(key) ?? key)
        }
        if let anonymousId = event.anonymousId {
            let key = ProfileKey.anonymous(anonymousId)
            keys.append(profiles.resolve(key) ?? key)
        }
        return keys
    }

    func performErasure(id: String, continuation: CheckedContinuation<Erasure?, any Error>) async {
        guard let profile = profiles.profile(id: id) else {
            continuation.resume(returning: nil)
            return
        }
        do {
            let count = try await store.erase(PersonIds(profile))
            profiles.erase(key: profile.key)
            offers.erase(person: profile.key)
            metrics.erasures.increment()
            metrics.profiles.record(profiles.count)
            logger.info("profile erased", metadata: ["events": "\(count)"])
            continuation.resume(returning: Erasure(profile: profile, events: count))
        } catch {
            logger.error("erasure failed; nothing was removed", metadata: ["error": "\(error)"])
            continuation.resume(
                throwing: APIError(status: 503, code: "storage_unavailable", message: "the erasure could not be completed"))
        }
    }
}
