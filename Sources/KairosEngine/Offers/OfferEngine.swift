import DequeModule
import KairosCore
import KairosStore
import Synchronization

/// Next-best-action decisions and their learning: the offers in force, one propensity model per
/// action placement, people's touches with offers, budgets, and the impressions waiting for
/// their outcome.
///
/// An impression whose decision gets a positive outcome event (`properties.decisionId`, the
/// offer's positive event names) within the placement's attribution window is a positive
/// update; one without is a negative update when the window closes.
public final class OfferEngine: Sendable {
    /// A given-out offer waiting for its outcome.
    struct Impression: Sendable {
        var offer: String
        var tokens: [FeatureHasher.Token]
        var resolved = false
    }

    /// A decision's impressions.
    struct Pending: Sendable {
        var placement: String
        var person: String?
        var shared: [FeatureHasher.Token]
        var impressions: [Impression]
    }

    struct PendingState: Sendable {
        var decisions: [String: Pending] = [:]
        /// (deadline, decision id) per attribution window: each queue is in deadline order, as
        /// decisions with one window are made in time order (one queue for all would not be).
        var deadlines: [Millis: Deque<(Millis, String)>] = [:]

        /// The decision with the earliest deadline, taken out of its queue; only one due by `now`
        /// when given.
        mutating func popEarliest(dueBy now: Millis? = nil) -> String? {
            var earliest: (deadline: Millis, window: Millis)?
            for (window, queue) in deadlines {
                if let (deadline, _) = queue.first, earliest == nil || deadline < earliest!.deadline { earliest = (deadline, window) }
            }
            guard let earliest, now.map({ earliest.deadline <= $0 }) ?? true else { return nil }
            let id = deadlines[earliest.window]!.removeFirst().1
            // An emptied queue goes: windows of edited or removed placements are not scanned forever.
            if deadlines[earliest.window]!.isEmpty { deadlines[earliest.window] = nil }
            return id
        }
    }

    public let history: ActionHistory
    public let ledger: BudgetLedger
    let store: any DataStore
    public let parameters: PropensityModel.Parameters
    private let current = Mutex(OfferSet.empty)
    let models = Mutex<[String: PropensityModel]>([:])
    let pending = Mutex(PendingState())
    /// Most impressions waiting for an outcome; beyond it the oldest are resolved as negatives early.
    static let maximumPending = 1_000_000

    public init(store: any DataStore, history: ActionHistory, ledger: BudgetLedger, parameters: PropensityModel.Parameters = .init()) {
        self.store = store
        self.history = history
        self.ledger = ledger
        self.parameters = parameters
    }

    /// The offers, levers and campaigns in force.
    public var offers: OfferSet { current.withLock { $0 } }

    public func install(_ set: OfferSet) { current.withLock { $0 = set } }

    /// Decides at an action placement for `profile` (or an unknown visitor): arbitrates with the
    /// placement's model over the person's history with offers, reserves the winners' budgets (a
    /// winner whose budget was taken meanwhile is dropped), remembers the impressions, and returns
    /// once budget use is durable. `context` is what offer rules read (profile, features,
    /// segments as allowed, and `context`).
    public func decide(
        placement: PlacementSet.Compiled, profile: Profile?, context: EvaluationContext, requestContext: [String: JSONValue],
        limit: Int, exclude: Set<String> = [], decisionId: String
    ) async throws -> Arbitrator.Result {
        var request = Arbitrator.Request(
            context: context, requestContext: requestContext, history: profile.map { history.touches(of: $0.key) } ?? [],
            limit: limit, marketingAllowed: profile?.consent.allows(Consent.marketing) ?? true)
        request.exclude = exclude
        return try await decide(placement: placement, request: request, person: profile?.key, decisionId: decisionId)
    }

    func decide(
        placement: PlacementSet.Compiled, request: Arbitrator.Request, person: String?, decisionId: String
    ) async throws -> Arbitrator.Result {
        let offers = self.offers
        let id = placement.definition.id
        guard let arbitrator = Arbitrator(placement: placement, offers: offers) else {
            return Arbitrator.Result()
        }
        var request = request
        let now = request.now
        request.exhausted = ledger.exhausted(offers, now: now)
        var generator = SystemRandomNumberGenerator()
        var result = arbitrator.arbitrate(request, using: &generator) { shared, candidates in
            models.withLock { models in
                if models[id] == nil { models[id] = PropensityModel(parameters: parameters) }
                return models[id]!.predictions(shared: shared, offers: candidates, variance: arbitrator.needsVariance)
            }
        }
        let budgeted = result.chosen.contains { $0.offer.isBudgeted }
        if budgeted {
            let reserved = ledger.reserve(result.chosen.map(\.offer), in: offers, now: now)
            for (candidate, kept) in zip(result.chosen, reserved) where !kept {
                result.rejections.append(
                    Arbitrator.Rejection(offer: candidate.offer.definition.id, detail: .budgetUsedUp, priority: candidate.priority))
            }
            result.chosen = zip(result.chosen, reserved).filter(\.1).map(\.0)
            if result.chosen.isEmpty && result.noAction == nil { result.noAction = "the winners' budgets are used up" }
        }
        if !result.chosen.isEmpty {
            if let person {
                ledger.record(
                    result.chosen.map { PersonTouch(person: person, touch: ActionTouch(offer: $0.offer.definition.id, kind: .impression, time: now)) },
                    now: now)
            }
            let window = arbitrator.arbitration.attributionWindow
            let impressions = result.chosen.map { Impression(offer: $0.offer.definition.id, tokens: $0.offer.tokens) }
            let overflow = pending.withLock { state -> [(String, Pending)] in
                state.decisions[decisionId] = Pending(placement: id, person: person, shared: result.shared, impressions: impressions)
                state.deadlines[window, default: []].append((now + window, decisionId))
                var overflow: [(String, Pending)] = []
                while state.decisions.count > Self.maximumPending, let oldest = state.popEarliest() {
                    if let entry = state.decisions.removeValue(forKey: oldest) { overflow.append((oldest, entry)) }
                }
                return overflow
            }
            for (_, entry) in overflow { learnNegatives(entry) }
        }
        if budgeted { try await ledger.waitUntilDurable() }
        return result
    }

    /// The offer an outcome event names: `properties.offerId`, `offer_id` or `actionId`.
    public static func offerNamed(in event: Event) -> String? {
        let properties = event.json?["properties"]
        return properties?["offerId"]?.stringValue ?? properties?["offer_id"]?.stringValue ?? properties?["actionId"]?.stringValue
    }

    /// Takes outcome events in (called by the ingest pipeline once they are stored): updates the
    /// model of their decision's placement and remembers dismissals, acceptances and positive
    /// responses for suppression. `person` is the event's profile key.
    public func observe(_ event: Event, person: String?, now: Millis) {
        guard let name = event.name else { return }
        let named = Self.offerNamed(in: event)
        let offers = self.offers
        var learned: (String, Pending, Impression)?
        if let decisionId = event.decisionId {
            learned = pending.withLock { state -> (String, Pending, Impression)? in
                guard var entry = state.decisions[decisionId] else { return nil }
                let position = named.flatMap { id in entry.impressions.firstIndex { $0.offer == id } }
                    ?? (entry.impressions.count == 1 ? 0 : nil)
                guard let position, !entry.impressions[position].resolved else { return nil }
                let offer = entry.impressions[position].offer
                let positives = offers.positiveEvents(of: offer)
                guard positives.contains(name) else { return nil }
                entry.impressions[position].resolved = true
                let impression = entry.impressions[position]
                if entry.impressions.allSatisfy(\.resolved) {
                    state.decisions.removeValue(forKey: decisionId)
                } else {
                    state.decisions[decisionId] = entry
                }
                return (decisionId, entry, impression)
            }
        }
        if let (_, entry, impression) = learned { learn(entry, impression, positive: true) }
        let offer = named ?? learned?.2.offer
        guard let offer, let person = person ?? learned?.1.person else { return }
        var kinds: [ActionTouch.Kind] = []
        if name == OfferDefinition.dismissedEvent { kinds.append(.dismissed) }
        if name == OfferDefinition.acceptedEvent { kinds.append(.accepted) }
        let positives = offers.positiveEvents(of: offer)
        if positives.contains(name) { kinds.append(.positive) }
        ledger.record(kinds.map { PersonTouch(person: person, touch: ActionTouch(offer: offer, kind: $0, time: event.timestamp)) }, now: now)
    }

    /// Resolves impressions whose attribution window closed without a positive outcome as negatives.
    /// Returns how many were resolved.
    @discardableResult
    public func expire(now: Millis) -> Int {
        let due = pending.withLock { state -> [Pending] in
            var due: [Pending] = []
            while let id = state.popEarliest(dueBy: now) {
                if let entry = state.decisions.removeValue(forKey: id) { due.append(entry) }
            }
            return due
        }
        for entry in due { learnNegatives(entry) }
        return due.reduce(0) { $0 + $1.impressions.lazy.filter { !$0.resolved }.count }
    }

    private func learnNegatives(_ entry: Pending) {
        for impression in entry.impressions where !impression.resolved { learn(entry, impression, positive: false) }
    }

    private func learn(_ entry: Pending, _ impression: Impression, positive: Bool) {
        let vector = FeatureHasher.vector(shared: entry.shared, action: impression.tokens, bits: parameters.bits)
        models.withLock { models in
            if models[entry.placement] == nil { models[entry.placement] = PropensityModel(parameters: parameters) }
            let names = models[entry.placement]!.wantsNames ? FeatureHasher.names(shared: entry.shared, action: impression.tokens) : nil
            models[entry.placement]!.update(vector, action: impression.offer, positive: positive, names: names)
        }
    }

    /// Impressions waiting for their outcome.
    public var pendingImpressions: Int { pending.withLock { $0.decisions.values.reduce(0) { $0 + $1.impressions.count } } }

    /// Forgets a person: their touches (the models keep what they learned, which holds nothing personal).
    public func erase(person: String) {
        history.erase(person)
        pending.withLock { state in
            for (id, entry) in state.decisions where entry.person == person { state.decisions[id]?.person = nil }
        }
    }

    // MARK: - Models

    /// `GET /v1/admin/models`: every model's report.
    public func report() -> JSONValue {
        let snapshot = models.withLock { $0 }
        let waiting = pending.withLock { state in
            Dictionary(grouping: state.decisions.values, by: \.placement).mapValues { $0.reduce(0) { $0 + $1.impressions.count } }
        }
        return .array(snapshot.keys.sorted().map { id in
            guard case .object(var fields) = snapshot[id]!.report(id: id) else { return .null }
            fields["pendingImpressions"] = .number(Double(waiting[id] ?? 0))
            return .object(fields)
        })
    }

    /// Stores every model (a checkpoint); returns the bytes written.
    @discardableResult
    public func checkpoint(now: Millis) async throws -> Int {
        let snapshot = models.withLock { $0 }
        let bodies = snapshot.map { (id: $0.key, body: $0.value.serialized()) }
        try await store.saveModels(bodies, at: now)
        return bodies.reduce(0) { $0 + $1.body.count }
    }

    /// Loads the stored models (at start).
    public func loadModels() async throws {
        var loaded: [String: PropensityModel] = [:]
        for (id, body) in try await store.models() {
            if let model = PropensityModel(serialized: body) { loaded[id] = model }
        }
        models.withLock { $0 = loaded }
    }
}
