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
    /// Caps, quiet hours and consent, shared by every message.
    let contactPolicy: ContactPolicy
    let logger: Logger
    /// Decides at the action placement of a trigger that names one.
    let offers: OfferEngine?
    let decisions: DecisionLog?

    public init(
        store: any DataStore, profiles: ProfileBook, engine: TriggerEngine, worker: DeliveryWorker,
        configuration: DeliveryConfiguration, offers: OfferEngine? = nil, decisions: DecisionLog? = nil, logger: Logger
    ) {
        self.offers = offers
        self.decisions = decisions
        self.store = store
        self.profiles = profiles
        self.engine = engine
        self.worker = worker
        self.configuration = configuration
        self.contactPolicy = ContactPolicy(store: store, configuration: configuration)
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
        } else if let placement = trigger.definition.placement {
            // The contact policy passed: decide which action goes out, if any.
            switch try await decide(at: placement, trigger: trigger, profile: profile, context: context, wait: wait, now: now) {
            case .success(let payload): message.payload = payload
            case .failure(let reason):
                message.state = .suppressed
                message.lastError = reason.message
            }
        }
        try await store.resolveWait(id: wait.id, state: .fired, message: message)
        Counter(label: "kairos_trigger_waits_total", dimensions: [("outcome", "fired")]).increment()
        if message.state == .pending { worker.wake() }
    }

    struct NoAction: Error { var message: String }

    /// The winning action's payload at `placement` on the trigger's channel, or why there is none.
    private func decide(
        at placementId: String, trigger: TriggerSet.Compiled, profile: Profile, context: EvaluationContext, wait: PendingWait,
        now: Millis
    ) async throws -> Result<JSONValue, NoAction> {
        let (placement, defined) = profiles.recommender.placements.placement(placementId)
        guard let offers, defined, let arbitration = placement.definition.actions else {
            return .failure(NoAction(message: "no action placement '\(placementId)'"))
        }
        let requestContext: [String: JSONValue] = [
            "trigger": .string(trigger.definition.id), "channel": .string(trigger.definition.channel),
        ]
        let decisionId = DecisionId.make(at: now)
        let result = try await offers.decide(
            placement: placement, profile: profile, context: context, requestContext: requestContext, limit: 1,
            decisionId: decisionId)
        let logged: [String: JSONValue] = [
            "decisionId": .string(decisionId), "placement": .string(placementId), "trigger": .string(trigger.definition.id),
            "actions": .array(result.chosen.map { .object(["id": .string($0.offer.definition.id), "score": .number($0.priority)]) }),
            "noAction": result.chosen.isEmpty ? .string(result.noAction ?? "nothing to offer") : .bool(false),
        ]
        decisions?.record(
            .action(
                result, id: decisionId, profileKey: profile.key, userId: profile.userId,
                anonymousId: profile.userId == nil ? profile.anonymousIds.first : nil, placement: placementId, createdAt: now,
                answered: JSONWriter.bytes(.object(logged))))
        guard let winner = result.chosen.first else {
            return .failure(NoAction(message: "no action: \(result.noAction ?? "nothing to offer")"))
        }
        var payloadContext = context
        payloadContext.item = winner.offer.json
        guard case .object(var payload)? = winner.offer.payload(channel: arbitration.channel, payloadContext) else {
            return .failure(NoAction(message: "no action: no payload on \(arbitration.channel)"))
        }
        payload["offerId"] = .string(winner.offer.definition.id)
        payload["decisionId"] = .string(decisionId)
        return .success(.object(payload))
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
        try await contactPolicy.refusal(
            channel: channel, channelId: message.channel, profile: profile,
            timeZone: wait.event["context"]?["timezone"]?.stringValue, now: message.createdAt)
    }
}
