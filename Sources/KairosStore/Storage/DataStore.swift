import KairosCore

/// Durable storage behind Kairos: the event log, the catalog and a little metadata.
///
/// The event log is the source of truth; profiles are derived from it (see `ProfileBook`). The
/// embedded implementation is ``SQLiteStore``; a shared PostgreSQL store can implement the same
/// protocol for scale-out.
public protocol DataStore: DeliveryStore, OfferStore, RetentionStore, Sendable {
    /// Appends events in one transaction (one fsync). Returns, per event, its new sequence number,
    /// or `nil` when an event with the same `messageId` is already stored.
    func append(_ events: [Event]) async throws -> [Int64?]

    /// Queues the same write as ``append(_:)`` at once, without waiting for it (it is ordered
    /// with every write queued after it).
    func beginAppend(_ events: [Event]) -> PendingWrite<[Int64?]>

    /// Reads the log in sequence order, up to and including `upTo` (all when `nil`), and hands each
    /// event to `body` — with its parsed JSON when `withBodies`. Returns the number of events read.
    /// Bodies are parsed (``Event/json``) for every event when `withBodies`, else only for events
    /// whose name is in `bodiesFor` (item interactions).
    func replay(
        upTo: Int64?, withBodies: Bool, bodiesFor names: Set<String>, _ body: @escaping @Sendable (Event) -> Void
    ) async throws -> Int

    /// Stored events of a person (any of the ids), newest first, strictly before `beforeSeq`.
    func events(of ids: PersonIds, beforeSeq: Int64?, limit: Int) async throws -> [StoredEvent]

    /// Deletes every event of a person and makes sure no copy stays in the files. Returns the count.
    func erase(_ ids: PersonIds) async throws -> Int

    /// Inserts or replaces items in one transaction.
    func putItems(_ items: [Item]) async throws
    func item(id: String) async throws -> Item?
    /// Deletes an item; `false` if there was none.
    func deleteItem(id: String) async throws -> Bool
    func itemCount() async throws -> Int
    /// Every item (to load the catalog in memory at start).
    func allItems() async throws -> [Item]
    /// Logs decisions (ids already logged are left as they are).
    func appendDecisions(_ decisions: [DecisionRecord]) async throws
    /// A logged decision and the outcomes sent back about it.
    func decision(id: String) async throws -> (DecisionRecord, [DecisionOutcome])?
    /// A placement's decisions made in [from, to) and their outcomes.
    func outcomeSummary(placement: String, from: Millis, to: Millis) async throws -> OutcomeSummary

    /// Stored definitions of one kind (`features`, `segments`, ...), in id order.
    func definitions(kind: String) async throws -> [JSONValue]
    /// Inserts or replaces a definition.
    func putDefinition(kind: String, id: String, _ body: JSONValue) async throws
    /// Deletes a definition; `false` if there was none.
    func deleteDefinition(kind: String, id: String) async throws -> Bool

    /// Small key/value metadata (generated key hashes, import progress).
    func metadata(_ key: String) async throws -> String?
    func setMetadata(_ key: String, _ value: String?) async throws
}

/// All ids of one person, as used to find their events.
public struct PersonIds: Sendable, Equatable {
    public var userIds: [String]
    public var anonymousIds: [String]

    public init(userIds: [String], anonymousIds: [String]) {
        self.userIds = userIds
        self.anonymousIds = anonymousIds
    }

    public init(_ profile: Profile) {
        self.init(userIds: profile.userIds, anonymousIds: profile.anonymousIds)
    }
}

/// An event as read back from the log, with its stored JSON.
public struct StoredEvent: Sendable, Equatable {
    public var seq: Int64
    public var body: JSONValue

    public init(seq: Int64, body: JSONValue) {
        self.seq = seq
        self.body = body
    }
}
