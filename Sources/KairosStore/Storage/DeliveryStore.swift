import KairosCore

/// Durable state of triggers and delivery: pending waits and the message outbox.
public protocol DeliveryStore: Sendable {
    /// Inserts waits; a wait whose id exists already is left as it is.
    func insertWaits(_ waits: [PendingWait]) async throws
    /// Pending waits due at or before `now`, earliest first.
    func dueWaits(now: Millis, limit: Int) async throws -> [PendingWait]
    /// The earliest due time of a pending wait.
    func nextWaitDue() async throws -> Millis?
    /// Marks a wait fired or cancelled and, in the same transaction, adds its message (if any).
    func resolveWait(id: String, state: PendingWait.State, message: Message?) async throws
    /// Inserts messages; a message whose id exists already is left as it is.
    func insertMessages(_ messages: [Message]) async throws
    /// Pending messages whose next attempt is due, oldest first.
    func dueMessages(now: Millis, limit: Int) async throws -> [Message]
    /// The earliest next attempt of a pending message.
    func nextMessageDue() async throws -> Millis?
    /// Records the outcome of an attempt.
    func updateMessage(_ message: Message) async throws
    /// Messages, newest first, optionally of one state / channel / user.
    func messages(state: Message.State?, channel: String?, userId: String?, limit: Int) async throws -> [Message]
    /// Messages counted against contact caps: created for this person since `since` on `channel`
    /// (all channels when `nil`), delivered or still pending.
    func contactCount(userId: String?, anonymousId: String?, channel: String?, since: Millis) async throws -> Int
    /// Events of a person after `afterSeq`, oldest first (to check a trigger's `unless`).
    func events(of ids: PersonIds, afterSeq: Int64, limit: Int) async throws -> [StoredEvent]
}
