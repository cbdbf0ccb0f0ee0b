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
        var pendingUse: [String: Int] = [:]
        var pendingDay: Int64 = 0
        var pendingTouches: [PersonTouch] = []
        /// Waiting for the pending work to be written.
        var waiters: [CheckedContinuation<Void, any Error>] = []
        var wakeUp: CheckedContinuation<Void, Never>?
        var stopped = false
    }

    let store: any DataStore
    let history: ActionHistory
    let logger: Logger
    let state = Mutex(State())

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
        let budgeted = offers.offers.filter { !$0.definition.budget.isEmpty || $0.definition.campaign != nil }
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
                    state.pendingUse[key, default: 0] += 1
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
        wake()
    }

    /// Returns once everything reserved or recorded so far is durable.
    public func waitUntilDurable() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let wakeUp = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.waiters.append(continuation)
                defer { state.wakeUp = nil }
                return state.wakeUp
            }
            wakeUp?.resume()
        }
    }

    /// Budget use of a key today and in total.
    public func use(of key: String, now: Millis) -> (today: Int, total: Int) {
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

    private func wake() {
        let wakeUp = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.wakeUp = nil }
            return state.wakeUp
        }
        wakeUp?.resume()
    }

    /// Writes what is pending in one transaction and resumes its waiters. A failed write keeps the
    /// work pending and fails the waiters (their decisions answer 503).
    func flush() async {
        let (use, day, touches, waiters) = state.withLock { state in
            defer {
                state.pendingUse = [:]
                state.pendingTouches = []
                state.waiters = []
            }
            return (state.pendingUse, state.day, state.pendingTouches, state.waiters)
        }
        guard !use.isEmpty || !touches.isEmpty else {
            for waiter in waiters { waiter.resume() }
            return
        }
        do {
            try await store.recordOfferActivity(
                usage: use.map { BudgetUse(key: $0.key, day: day, count: $0.value) }, touches: touches)
            for waiter in waiters { waiter.resume() }
        } catch {
            logger.error("budget use could not be stored", metadata: ["error.type": "\(type(of: error))"])
            state.withLock { state in
                for (key, count) in use { state.pendingUse[key, default: 0] += count }
                state.pendingTouches = touches + state.pendingTouches
            }
            let failure = APIError(status: 503, code: "storage_unavailable", message: "the decision's budget use could not be stored")
            for waiter in waiters { waiter.resume(throwing: failure) }
        }
    }

    public func run() async throws {
        await withTaskCancellationOrGracefulShutdownHandler {
            while true {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state -> Bool in
                        if state.stopped || !state.waiters.isEmpty || !state.pendingTouches.isEmpty || !state.pendingUse.isEmpty {
                            return true
                        }
                        state.wakeUp = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
                if state.withLock({ $0.stopped }) { break }
                await flush()
                // Lets concurrent decisions join the next transaction.
                try? await Task.sleep(for: .milliseconds(1))
            }
        } onCancelOrGracefulShutdown: {
            let wakeUp = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.stopped = true
                defer { state.wakeUp = nil }
                return state.wakeUp
            }
            wakeUp?.resume()
        }
        await Task { await self.flush() }.value
        logger.info("budget ledger drained and stopped")
    }
}
