import Foundation
import KairosCore
import KairosStore
import Logging
import Metrics
import ServiceLifecycle

/// Fires due trigger waits, exactly once: checks the `unless` against the person's events since
/// the start (read from the log, so a cancellation holds across restarts), renders the message,
/// applies consent and the contact policy, and writes the outcome and the message to the outbox
/// in one transaction.
public final class TriggerScheduler: Service, Sendable {
    let store: any DataStore
    let profiles: ProfileBook
    let engine: TriggerEngine
    let worker: DeliveryWorker
    let configuration: DeliveryConfiguration
    let logger: Logger

    public init(
        store: any DataStore, profiles: ProfileBook, engine: TriggerEngine, worker: DeliveryWorker,
        configuration: DeliveryConfiguration, logger: Logger
    ) {
        self.store = store
        self.profiles = profiles
        self.engine = engine
        self.worker = worker
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        await engine.doorbell.loop {
            try await fireDueWaits()
            return try await store.nextWaitDue()
        } failed: { error in
            logger.error("trigger scheduling failed; retrying", metadata: ["error.type": "\(type(of: error))"])
        }
    }

    func fireDueWaits() async throws {
        while !Task.isShuttingDownGracefully {
            let due = try await store.dueWaits(now: Timestamp.now(), limit: 100)
            if due.isEmpty { return }
            for wait in due { try await fire(wait) }
        }
    }

    func fire(_ wait: PendingWait) async throws {
        let set = engine.triggers
        guard let trigger = set.trigger(id: wait.trigger) else {
            try await store.resolveWait(id: wait.id, state: .cancelled, message: nil)
            return
        }
        let idKey = wait.userId.map(ProfileKey.user) ?? ProfileKey.anonymous(wait.anonymousId ?? "")
        guard let profile = profiles.profile(idKey: idKey) else {
            try await store.resolveWait(id: wait.id, state: .cancelled, message: nil)  // erased meanwhile
            return
        }
        if trigger.definition.unless != nil, try await cancelled(wait, trigger, profile) {
            try await store.resolveWait(id: wait.id, state: .cancelled, message: nil)
            Counter(label: "kairos_trigger_waits_total", dimensions: [("outcome", "cancelled")]).increment()
            return
        }
        let now = Timestamp.now()
        var context = profiles.expressionContext(profile, event: nil, now: now)
        context.event = wait.event
        context.eventTimestamp = wait.event["timestamp"]?.stringValue.flatMap(Timestamp.parse)
        var message = Message(
            id: wait.id, channel: trigger.definition.channel, trigger: trigger.definition.id, userId: profile.userId,
            anonymousId: profile.userId == nil ? profile.anonymousIds.first : nil, createdAt: now, nextAttemptAt: now,
            payload: trigger.render(context))
        if let reason = try await suppression(for: message, profile: profile, channel: set.channels[message.channel], wait: wait) {
            message.state = .suppressed
            message.lastError = reason
        }
        try await store.resolveWait(id: wait.id, state: .fired, message: message)
        Counter(label: "kairos_trigger_waits_total", dimensions: [("outcome", "fired")]).increment()
        if message.state == .pending { worker.wake() }
    }

    /// Whether an event of the person after the start matched the trigger's `unless` before the wait ended.
    private func cancelled(_ wait: PendingWait, _ trigger: TriggerSet.Compiled, _ profile: Profile) async throws -> Bool {
        var after = wait.causeSeq
        while true {
            let events = try await store.events(of: PersonIds(profile), afterSeq: after, limit: 500)
            for stored in events {
                let received = stored.body["receivedAt"]?.stringValue.flatMap(Timestamp.parse) ?? 0
                if received > wait.dueAt { return false }
                let context = EvaluationContext(
                    event: stored.body, eventTimestamp: stored.body["timestamp"]?.stringValue.flatMap(Timestamp.parse),
                    now: received)
                if trigger.cancels(context) { return true }
            }
            guard events.count == 500, let last = events.last else { return false }
            after = last.seq
        }
    }

    /// Why the message must not go out, if it must not: consent, caps, quiet hours.
    private func suppression(
        for message: Message, profile: Profile, channel: ChannelDefinition?, wait: PendingWait
    ) async throws -> String? {
        guard let channel else { return "channel '\(message.channel)' no longer exists" }
        guard profile.consent.allows(Consent.marketing) else { return "no marketing consent" }
        for cap in channel.caps {
            let count = try await store.contactCount(
                userId: message.userId, anonymousId: message.anonymousId, channel: channel.id, since: message.createdAt - cap.window)
            if count >= cap.count {
                return "contact cap: \(cap.count) per \(ExpressionDuration.format(cap.window)) on \(channel.id)"
            }
        }
        if let cap = configuration.crossChannelCap {
            let count = try await store.contactCount(
                userId: message.userId, anonymousId: message.anonymousId, channel: nil, since: message.createdAt - cap.window)
            if count >= cap.count {
                return "contact cap: \(cap.count) per \(ExpressionDuration.format(cap.window)) across channels"
            }
        }
        if let quiet = channel.quietHours {
            let zone = wait.event["context"]?["timezone"]?.stringValue ?? profile.traits["timezone"]?.stringValue
            if let identifier = zone, let timeZone = TimeZone(identifier: identifier) {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = timeZone
                let date = Date(timeIntervalSince1970: Double(message.createdAt) / 1000)
                let parts = calendar.dateComponents([.hour, .minute], from: date)
                let minutes = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
                let inQuiet = quiet.start <= quiet.end
                    ? (minutes >= quiet.start && minutes < quiet.end)
                    : (minutes >= quiet.start || minutes < quiet.end)
                if inQuiet { return "quiet hours in \(identifier)" }
            }
        }
        return nil
    }
}
