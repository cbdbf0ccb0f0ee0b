import KairosCore
import KairosStore
import Synchronization

/// The triggers in force, and the match of events against them on ingest.
public final class TriggerEngine: Sendable {
    let current = Mutex(TriggerSet.empty)
    /// Wakes the scheduler when a wait is stored.
    let doorbell = Doorbell()

    public init() {}

    public var triggers: TriggerSet { current.withLock { $0 } }

    public func install(_ set: TriggerSet) {
        current.withLock { $0 = set }
    }

    /// What the triggers will read about the person of `event` once it is applied: `nil` when none
    /// of them can start a wait for it without reading the profile (its `when` does not match the
    /// event alone), so that applying the event need not gather anything for them.
    public func reads(for event: Event, in set: TriggerSet) -> ConditionReads? {
        guard !set.triggers.isEmpty, event.type != .consent, !event.isSegmentRecord else { return nil }
        var context: EvaluationContext?
        for trigger in set.triggers where trigger.whenReadsProfile || trigger.condition != nil {
            if !trigger.whenReadsProfile {
                if context == nil { context = EvaluationContext(event, now: event.receivedAt) }
                guard let context, trigger.when.matches(context) else { continue }
            }
            return ConditionReads(profile: set.profileReads, features: set.conditionFeatures, segments: set.readsSegments)
        }
        return nil
    }

    /// The waits `event` starts (one per matching trigger; due at once when the trigger has no wait).
    /// `applied` is what `ProfileBook.apply(_:conditions:)` returned for ``reads(for:in:)`` of the
    /// same `set`, if anything: the person is then not looked up again.
    public func waits(
        for event: Event, profiles: ProfileBook, in set: TriggerSet? = nil, applied: EvaluationContext? = nil
    ) -> [PendingWait] {
        let set = set ?? triggers
        guard !set.triggers.isEmpty, event.type != .consent else { return [] }
        var context = applied ?? EvaluationContext(event, now: event.receivedAt)
        let json = context.event ?? .null
        var profileLoaded = applied != nil
        var waits: [PendingWait] = []
        for trigger in set.triggers {
            let whenReadsProfile = trigger.whenReadsProfile
            if !whenReadsProfile && !trigger.when.matches(context) { continue }
            if (trigger.condition != nil || whenReadsProfile) && !profileLoaded {
                profileLoaded = true
                _ = profiles.fill(&context, idKey: Self.idKey(event), profile: set.profileReads, features: set.conditionFeatures)
            }
            if whenReadsProfile && !trigger.when.matches(context) { continue }
            if let condition = trigger.condition, !condition.matches(context) { continue }
            // A segment record's wait is cancelled by what its person did after the record's cause
            // (a record is written after the next group's events).
            let causeSeq = event.segmentRecordCause ?? event.seq
            waits.append(
                PendingWait(
                    id: "\(trigger.definition.id):\(event.seq)", trigger: trigger.definition.id, userId: event.userId,
                    anonymousId: event.userId == nil ? event.anonymousId : nil, causeSeq: causeSeq,
                    dueAt: event.receivedAt + (trigger.definition.wait ?? 0), event: json))
        }
        return waits
    }

    static func idKey(_ event: Event) -> String {
        event.userId.map(ProfileKey.user) ?? ProfileKey.anonymous(event.anonymousId ?? "")
    }
}
