/// A message in the outbox: created by a trigger, delivered at least once by the delivery worker.
public struct Message: Sendable, Equatable {
    /// Lifecycle of a message.
    public enum State: String, Sendable, CaseIterable {
        /// Waiting for its (next) attempt.
        case pending
        /// Accepted by the receiver.
        case delivered
        /// Not sent: consent, a cap or quiet hours (see `lastError`).
        case suppressed
        /// Gave up after the channel's `maxAttempts`.
        case dead
        /// An in-app message whose user did not connect in time.
        case expired
    }

    /// Also the idempotency key the receiver sees.
    public var id: String
    public var channel: String
    public var trigger: String
    public var userId: String?
    public var anonymousId: String?
    public var createdAt: Millis
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Millis
    public var lastError: String?
    public var deliveredAt: Millis?
    /// The rendered message (title, body, data, ...).
    public var payload: JSONValue

    public init(
        id: String, channel: String, trigger: String, userId: String?, anonymousId: String?, createdAt: Millis,
        state: State = .pending, attempts: Int = 0, nextAttemptAt: Millis, lastError: String? = nil,
        deliveredAt: Millis? = nil, payload: JSONValue
    ) {
        self.id = id
        self.channel = channel
        self.trigger = trigger
        self.userId = userId
        self.anonymousId = anonymousId
        self.createdAt = createdAt
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.deliveredAt = deliveredAt
        self.payload = payload
    }

    /// The message as listed by `GET /v1/admin/deliveries`.
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(id), "channel": .string(channel), "trigger": .string(trigger), "state": .string(state.rawValue),
            "attempts": .number(Double(attempts)), "createdAt": .string(Timestamp.format(createdAt)), "payload": payload,
        ]
        if let userId { fields["userId"] = .string(userId) }
        if let anonymousId { fields["anonymousId"] = .string(anonymousId) }
        if let lastError { fields["lastError"] = .string(lastError) }
        if let deliveredAt { fields["deliveredAt"] = .string(Timestamp.format(deliveredAt)) }
        if state == .pending { fields["nextAttemptAt"] = .string(Timestamp.format(nextAttemptAt)) }
        return .object(fields)
    }
}

/// A trigger waiting for its delay to pass (durable: it survives restarts and fires once).
public struct PendingWait: Sendable, Equatable {
    public enum State: String, Sendable { case pending, fired, cancelled }

    /// `<trigger>:<seq of the causing event>`: the same cause never creates two waits.
    public var id: String
    public var trigger: String
    public var userId: String?
    public var anonymousId: String?
    public var causeSeq: Int64
    public var dueAt: Millis
    public var state: State
    /// The causing event's JSON, for templates.
    public var event: JSONValue

    public init(
        id: String, trigger: String, userId: String?, anonymousId: String?, causeSeq: Int64, dueAt: Millis,
        state: State = .pending, event: JSONValue
    ) {
        self.id = id
        self.trigger = trigger
        self.userId = userId
        self.anonymousId = anonymousId
        self.causeSeq = causeSeq
        self.dueAt = dueAt
        self.state = state
        self.event = event
    }
}
