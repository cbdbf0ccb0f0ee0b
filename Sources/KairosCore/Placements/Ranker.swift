/// Ranks items for one person at one placement: gathers candidates from the placement's sources,
/// blends their normalised scores by weight, applies exclusions, the filter and the business
/// rules, diversifies, and fills from the fallback chain. Reads the models' snapshots only.
public struct Ranker: Sendable {
    /// What a decision is asked about.
    public struct Request: Sendable {
        /// The person's item history (empty for an unknown visitor or without personalization).
        public var history: [ItemTouch]
        /// The person's key (to leave their own session out of session neighbours).
        public var owner: String
        public var personalized: Bool
        /// `context` of the request (`item_id`, `category`, `cart`, ...).
        public var context: [String: JSONValue]
        public var limit: Int
        public var exclude: Set<String>
        /// Item numbers to leave out as well (offline evaluation leaves out everything the person
        /// interacted with).
        public var excludeItems: Set<UInt32> = []
        public var now: Millis

        public init(
            history: [ItemTouch], owner: String, personalized: Bool, context: [String: JSONValue], limit: Int,
            exclude: Set<String>, now: Millis
        ) {
            self.history = history
            self.owner = owner
            self.personalized = personalized
            self.context = context
            self.limit = limit
            self.exclude = exclude
            self.now = now
        }
    }

    /// One ranked item with its score and readable reasons.
    public struct Ranked: Sendable, Equatable {
        public var item: UInt32
        public var id: String
        public var score: Double
        public var reasons: [String]
        public var source: PlacementDefinition.Source
    }

    let recommender: Recommender

    public init(recommender: Recommender) { self.recommender = recommender }

    struct Candidate {
        var score: Double = 0
        var best: Double = 0
        var source: PlacementDefinition.Source = .popular
        var anchor: UInt32?
    }

    /// The ranked items. `context` is what the filter and rules see (profile, features and
    /// segments when the placement reads them); its `item` is set per candidate.
    public func rank(_ request: Request, placement: PlacementSet.Compiled, context: EvaluationContext) -> [Ranked] {
        let definition = placement.definition
        let limit = max(1, min(request.limit, 100))
        let excluded = excludedItems(request, definition)
        let positives = request.history.filter { $0.kind == .positive }
        var candidates = ItemTable<Candidate>(capacity: 512)
        for source in definition.sources {
            guard request.personalized || !Self.isPersonal(source.source) else { continue }
            let scored = candidatesFrom(source.source, request, positives: positives, budget: source.budget)
            guard let top = scored.lazy.map(\.score).max(), top > 0 else { continue }
            for (item, score, anchor) in scored where !excluded.contains(item) {
                let contribution = source.weight * score / top
                candidates.update(item, initial: Candidate()) { candidate in
                    candidate.score += contribution
                    if contribution > candidate.best {
                        candidate.best = contribution
                        candidate.source = source.source
                        candidate.anchor = anchor
                    }
                }
            }
        }
        // The per-category cap holds across the strategy and its fallback.
        var perCategory: [Int32: Int] = [:]
        var ranked = admit(candidates, placement, context: context, limit: limit, perCategory: &perCategory)
        // Fallback: fill up from the chain, below everything the strategy found.
        if ranked.count < limit {
            var taken = Set(ranked.map(\.item))
            for source in definition.fallback where ranked.count < limit {
                guard request.personalized || !Self.isPersonal(source) else { continue }
                let scored = candidatesFrom(source, request, positives: positives, budget: max(100, limit * 10))
                var extra = ItemTable<Candidate>(capacity: scored.count)
                for (item, score, anchor) in scored where !excluded.contains(item) && !taken.contains(item) {
                    extra.update(item, initial: Candidate(score: score * 1e-3, best: score, source: source, anchor: anchor)) { _ in }
                }
                let more = admit(extra, placement, context: context, limit: limit - ranked.count, perCategory: &perCategory)
                for item in more where taken.insert(item.item).inserted { ranked.append(item) }
            }
        }
        let ids = recommender.index.ids(of: ranked.map(\.item))
        let anchorEntries = recommender.catalog.entries(ranked.map { $0.anchor ?? UInt32.max })
        let anchorIds = recommender.index.ids(of: ranked.map { $0.anchor ?? 0 })
        return ranked.enumerated().map { position, entry in
            // An anchor is named by its title when the catalog has one, else by its id.
            let anchor = entry.anchor.map { _ in anchorEntries[position]?.item.title ?? anchorIds[position] }
            return Ranked(
                item: entry.item, id: ids[position], score: (entry.score * 1e4).rounded() / 1e4,
                reasons: [reason(entry.source, anchor: anchor, request)], source: entry.source)
        }
    }

    struct Admitted {
        var item: UInt32
        var score: Double
        var source: PlacementDefinition.Source
        var anchor: UInt32?
        /// The most specific category's number in the catalog, -1 without one.
        var category: Int32
    }

    /// Filter, rules and diversity over scored candidates; at most `limit` items.
    private func admit(
        _ candidates: ItemTable<Candidate>, _ placement: PlacementSet.Compiled, context: EvaluationContext, limit: Int,
        perCategory: inout [Int32: Int]
    ) -> [Admitted] {
        let definition = placement.definition
        let catalogKnown = recommender.catalog.count > 0
        var context = context
        var pinned: [Admitted] = []
        var normal: [Admitted] = []
        var buried: [Admitted] = []
        // The filter and rules read the item; without them, diversity or a category cap, the
        // best `limit` admitted are the answer and the scan stops there.
        let readsItem = placement.filter != nil || !placement.rules.isEmpty
        let plain = !readsItem && definition.maxPerCategory == nil && definition.mmrLambda == nil
        let wanted = plain ? limit : limit * 8
        /// Runs the filter and rules down `order`; false when it ran out before having enough.
        func scan(_ order: [(UInt32, Candidate)]) -> Bool {
            let numbers = order.map(\.0)
            let shelves = recommender.catalog.shelves(numbers)
            // The entries themselves (references) only for the filter and rules.
            let entries = readsItem ? recommender.catalog.entries(numbers) : []
            for (position, (item, candidate)) in order.enumerated() {
                let shelf = shelves[position]
                // With a catalog, only items in it and available are recommended.
                if catalogKnown && !shelf.available { continue }
                if readsItem {
                    context.item = entries[position]?.json ?? .object(["id": .string(recommender.index.id(of: item) ?? "")])
                }
                if let filter = placement.filter, !filter.matches(context) { continue }
                var admitted = Admitted(
                    item: item, score: candidate.score, source: candidate.source, anchor: candidate.anchor,
                    category: shelf.category)
                var bucket = 0
                for rule in placement.rules where rule.condition.matches(context) {
                    switch rule.effect {
                    case .boost(let factor): admitted.score *= factor
                    case .bury: bucket = -1
                    case .pin: bucket = 1
                    }
                }
                switch bucket {
                case 1: pinned.append(admitted)
                case -1: buried.append(admitted)
                default: normal.append(admitted)
                }
                // Enough to choose from: the filter and rules need not run over every candidate.
                if pinned.count >= limit || pinned.count + normal.count >= wanted { return true }
            }
            return false
        }
        // The best few by partitioning; all of them, sorted, only when the filter rejects so
        // many of the few that the scan did not reach its stopping point.
        let head = plain ? max(limit * 2, 20) : max(limit * 16, 64)
        var best = Array(zip(candidates.items, candidates.values))
        TopK.keepBest(&best, k: head, sorted: true) { ($0.0, $0.1.score) }
        if !scan(best) && candidates.count > head {
            (pinned, normal, buried) = ([], [], [])
            let all = zip(candidates.items, candidates.values)
            _ = scan(all.sorted { $0.1.score > $1.1.score || ($0.1.score == $1.1.score && $0.0 < $1.0) })
        }
        normal.sort { $0.score > $1.score || ($0.score == $1.score && $0.item < $1.item) }
        pinned.sort { $0.score > $1.score || ($0.score == $1.score && $0.item < $1.item) }
        buried.sort { $0.score > $1.score || ($0.score == $1.score && $0.item < $1.item) }
        let pool = pinned + diversify(normal, definition, limit: limit) + buried
        var result: [Admitted] = []
        for entry in pool where result.count < limit {
            if let cap = definition.maxPerCategory, entry.category >= 0 {
                guard perCategory[entry.category, default: 0] < cap else { continue }
                perCategory[entry.category, default: 0] += 1
            }
            result.append(entry)
        }
        return result
    }

    /// Maximal marginal relevance over content similarity, when configured.
    private func diversify(_ items: [Admitted], _ definition: PlacementDefinition, limit: Int) -> [Admitted] {
        guard let lambda = definition.mmrLambda, items.count > 1 else { return items }
        let content = recommender.content
        // Reorders the best `limit × 4`; the rest keep their order after them (the category cap
        // may still need them).
        var remaining = Array(items.prefix(limit * 4))
        var redundancy = Array(repeating: 0.0, count: remaining.count)
        let top = max(remaining.first?.score ?? 1, 1e-12)
        var chosen: [Admitted] = []
        while !remaining.isEmpty && chosen.count < limit {
            var bestIndex = 0
            var bestValue = -Double.infinity
            for (index, candidate) in remaining.enumerated() {
                let value = lambda * candidate.score / top - (1 - lambda) * redundancy[index]
                if value > bestValue {
                    bestValue = value
                    bestIndex = index
                }
            }
            let picked = remaining.remove(at: bestIndex)
            redundancy.remove(at: bestIndex)
            for index in remaining.indices {
                redundancy[index] = max(redundancy[index], content.cosine(picked.item, remaining[index].item))
            }
            chosen.append(picked)
        }
        return chosen + remaining + items.dropFirst(limit * 4)
    }
}
