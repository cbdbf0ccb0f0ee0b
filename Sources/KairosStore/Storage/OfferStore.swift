import KairosCore

/// Durable state of next-best-action decisions: budget use, people's touches with offers (for
/// suppression) and checkpoints of the propensity models.
public protocol OfferStore: Sendable {
    /// Adds budget use and touches in one transaction.
    func recordOfferActivity(usage: [BudgetUse], touches: [PersonTouch]) async throws
    /// Budget use per key: the count of `day` and the total over all days.
    func budgetUse(day: Int64) async throws -> [String: (day: Int, total: Int)]
    /// Touches since `since`, oldest first.
    func personTouches(since: Millis) async throws -> [PersonTouch]
    /// Stores model checkpoints (replacing earlier ones of the same ids).
    func saveModels(_ models: [(id: String, body: [UInt8])], at time: Millis) async throws
    /// A placement's logged decisions (their bodies) with the names of the outcome events sent
    /// back about each, oldest first (for off-policy evaluation).
    func decisionsWithOutcomes(placement: String) async throws -> [(body: JSONValue, outcomes: [String])]
    /// Every stored model checkpoint.
    func models() async throws -> [(id: String, body: [UInt8])]
}

/// Budget consumed: `count` more uses of `key` (`offer:<id>` or `campaign:<id>`) on `day` (days since the epoch, UTC).
public struct BudgetUse: Sendable, Equatable {
    public var key: String
    public var day: Int64
    public var count: Int

    public init(key: String, day: Int64, count: Int) {
        self.key = key
        self.day = day
        self.count = count
    }
}

/// A touch with an offer and the person (profile key) it belongs to.
public struct PersonTouch: Sendable, Equatable {
    public var person: String
    public var touch: ActionTouch

    public init(person: String, touch: ActionTouch) {
        self.person = person
        self.touch = touch
    }
}
