import KairosCore
import KairosStore
import Logging
import ServiceLifecycle
import Synchronization

/// Budget use of offers and campaigns, and people's touches with offers, in memory and
/// group-committed to the store.
///
/// A decision reserves budget under one lock (so concurrent decisions never exceed a budget),
/// and answers only once its reservation is durable (``waitUntilDurable()``): a restart never
/// forgets budget that was given out. Touches ride along in the same transactions.
public final class BudgetLedger: Service, Sendable {
    struct State: Sendable {
        var day: Int64 = 0
        /// Use of the current day, and in total, by key (`offer:<id>`, `campaign:<id>`).
        var today: [String: Int] = [:]
        var total: [String: Int] = [:]
        /// Use not yet written, by key and by the day it was made on (a write may come after midnight).
        var pendingUse: [UseKey: Int] = [:]
        var pendingTouches: [PersonTouch] = []
        /// Waiting for the pending work to be written.
        var waiters: [CheckedContinuation<Void, any Error>] = []
        /// Set once the last write after shutdown is done: later waiters fail at once.
        var stopped = false
    }

    struct UseKey: Hashable, Sendable {
        var key: String
        var day: Int64
    }

    let store: any DataStore
    let history: ActionHistory
    let logger: Logger
    let state = Mutex(State())
    /// Rung by every reservation and touch: everything that arrives while one write runs goes into the next.
    let doorbell = Doorbell()

    public init(store: any DataStore, history: ActionHistory, logger: Logger) {
        self.store = store
        self.history = history
        self.logger = logger
    }

    static func day(of time: Millis) -> Int64 { time >= 0 ? time / 86_400_000 : (time - 86_399_999) / 86_400_000 }
    static func key(offer: String) -> String { "offer:\(offer)" }
    static func key(campaign: String) -> String { "campaign:\(campaign)" }

    /// Loads the budget use of today and in total, and the touches of the kept history.
    public func load(now: Millis) async throws {
        let day = Self.day(of: now)
        let use = try await store.budgetUse(day: day)
        state.withLock { state in
            state.day = day
            state.today = use.mapValues(\.day)
            state.total = use.mapValues(\.total)
        }
        let touches = try await store.personTouches(since: now - ActionHistory.retention)
        var byPerson: [String: [ActionTouch]] = [:]
        for entry in touches { byPerson[entry.person, default: []].append(entry.touch) }
        for (person, list) in byPerson { history.record(list, for: person, now: now) }
    }

    /// Offers (by index) that cannot be given out now: their own or their campaign's budget is used up.
    public func exhausted(_ offers: OfferSet, now: Millis) -> Set<Int> {
        let budgeted = offers.budgeted
        guard !budgeted.isEmpty else { return [] }
        return state.withLock { state in
            roll(&state, now: now)
            return Set(budgeted.filter { !fits($0, offers, state) }.map(\.index))
        }
    }

    /// Reserves one use of each offer's budgets (all or none for one offer); returns, per offer, whether it was reserved.
    public func reserve(_ chosen: [OfferSet.Compiled], in offers: OfferSet, now: Millis) -> [Bool] {
        state.withLock { state in
            roll(&state, now: now)
            return chosen.map { offer in
                guard fits(offer, offers, state) else { return false }
                for key in keys(offer) {
                    state.today[key, default: 0] += 1
                    state.total[key, default: 0] += 1
                    state.pendingUse[UseKey(key: key, day: state.day), default: 0] += 1
                }
                return true
            }
        }
    }

    /// Remembers touches (in memory now, in the store with the next write).
    public func record(_ touches: [PersonTouch], now: Millis) {
        guard !touches.isEmpty else { return }
        for (person, list) in Dictionary(grouping: touches, by: \.person) { history.record(list.map(\.touch), for: person, now: now) }
        state.withLock { $0.pendingTouches += touches }
        doorbell.ring()
    }

    /// Returns once everything reserved or recorded so far is durable; 503 once the ledger has stopped.
    public func waitUntilDurable() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let stopped = state.withLock { state -> Bool in
                if !state.stopped { state.waiters.append(continuation) }
                return state.stopped
            }
            // Rung once the waiter is in: a write that took the state before it got there would
            // otherwise leave it to the loop's next timed round (up to a second).
            if stopped { continuation.resume(throwing: Self.unavailable) } else { doorbell.ring() }
        }
    }

    static let unavailable = APIError(
        status: 503, code: "storage_unavailable", message: "the decision's budget use could not be stored")

    /// Budget use of an offer's own budget, and of a campaign's, as the admin API shows it.
    public func use(offer id: String, now: Millis) -> JSONValue { useJSON(Self.key(offer: id), now: now) }
    public func use(campaign id: String, now: Millis) -> JSONValue { useJSON(Self.key(campaign: id), now: now) }

    private func useJSON(_ key: String, now: Millis) -> JSONValue {
        let use = use(of: key, now: now)
        return .object(["today": .number(Double(use.today)), "total": .number(Double(use.total))])
    }

    /// Budget use of a key today and in total.
    private func use(of key: String, now: Millis) -> (today: Int, total: Int) {
        state.withLock { state in
            roll(&state, now: now)
            return (state.today[key] ?? 0, state.total[key] ?? 0)
        }
    }

    private func keys(_ offer: OfferSet.Compiled) -> [String] {
        var keys: [String] = []
        if !offer.definition.budget.isEmpty { keys.append(Self.key(offer: offer.definition.id)) }
        if let campaign = offer.definition.campaign { keys.append(Self.key(campaign: campaign)) }
        return keys
    }

    private func fits(_ offer: OfferSet.Compiled, _ offers: OfferSet, _ state: State) -> Bool {
        func fits(_ budget: OfferDefinition.Budget, _ key: String) -> Bool {
            if let perDay = budget.perDay, state.today[key, default: 0] >= perDay { return false }
            if let total = budget.total, state.total[key, default: 0] >= total { return false }
            return true
        }
        if !fits(offer.definition.budget, Self.key(offer: offer.definition.id)) { return false }
        if let campaign = offer.definition.campaign, let budget = offers.campaigns[campaign]?.budget {
            return fits(budget, Self.key(campaign: campaign))
        }
        return true
    }

    /// Starts a new day's counts at midnight UTC.
    private func roll(_ state: inout State, now: Millis) {
        let day = Self.day(of: now)
        guard day > state.day else { return }
        state.day = day
        state.today = [:]
    }

    /// Writes what is pending in one transaction and resumes its waiters. A failed write keeps the
    /// work pending and fails the waiters (their decisions answer 503).
    func flush() async {
        let (use, touches, waiters) = state.withLock { state in
            defer {
                state.pendingUse = [:]
                state.pendingTouches = []
                state.waiters = []
            }
            return (state.pendingUse, state.pendingTouches, state.waiters)
        }
        guard !use.isEmpty || !touches.isEmpty else {
            for waiter in waiters { waiter.resume() }
            return
        }
        do {
            try await store.recordOfferActivity(
                usage: use.map { BudgetUse(key: $0.key.key, day: $0.key.day, count: $0.value) }, touches: touches)
            for waiter in waiters { waiter.resume() }
        } catch {
            logger.error("budget use could not be stored", metadata: ["error.type": "\(type(of: error))"])
            state.withLock { state in
                for (key, count) in use { state.pendingUse[key, default: 0] += count }
                state.pendingTouches = touches + state.pendingTouches
            }
            for waiter in waiters { waiter.resume(throwing: Self.unavailable) }
        }
    }

    public func run() async throws {
        await doorbell.loop {
            await flush()
            return nil
        } failed: { _ in }
        // The last write runs outside the cancelled task, so that the store does not refuse it.
        await Task { await self.flush() }.value
        let late = state.withLock { state in
            state.stopped = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in late { waiter.resume(throwing: Self.unavailable) }
        logger.info("budget ledger drained and stopped")
    }
}
