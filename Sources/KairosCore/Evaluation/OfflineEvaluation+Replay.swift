extension OfflineEvaluation {
    /// Replays the log through fresh models, scoring every strategy and the popularity baseline
    /// on the held-out interactions.
    func replay(
        _ log: [Interaction], rules: [InteractionMapping.Rule], items: [Item], testIndices: Set<Int>,
        progress: (Progress) -> Void
    ) -> [EvaluationReport.Result] {
        let k = configuration.k
        let recommender = Recommender(mapping: configuration.mapping)
        if !items.isEmpty { recommender.catalog.put(items) }
        let ranker = Ranker(recommender: recommender)
        var histories: [String: [ItemTouch]] = [:]
        var interacted: [String: Set<UInt32>] = [:]
        var metrics = strategies.map { _ in RankingMetrics(k: k) }
        var elapsed = strategies.map { _ in Duration.zero }
        var popularity = PopularityBaseline()
        var popularityMetrics = RankingMetrics(k: k)
        var deferred: [Int] = []
        let clock = ContinuousClock()

        func score(_ index: Int, now: Millis) {
            let interaction = log[index]
            let excluded = interacted[interaction.user] ?? []
            for (position, strategy) in strategies.enumerated() {
                var request = Ranker.Request(
                    history: histories[interaction.user] ?? [], owner: interaction.user, personalized: true, context: [:],
                    limit: k, exclude: [], now: now)
                request.excludeItems = excluded
                let start = clock.now
                let ranked = ranker.rank(
                    request, placement: strategy.placement, context: EvaluationContext(event: .object([:]), now: now))
                elapsed[position] += clock.now - start
                metrics[position].add(ranked: ranked.map(\.id), heldOut: interaction.item)
            }
            if configuration.popularityBaseline {
                let top = popularity.top(k, excluding: excluded)
                popularityMetrics.add(ranked: recommender.index.ids(of: top), heldOut: interaction.item)
            }
        }

        recommender.refresh()
        var fed = 0
        for (index, interaction) in log.enumerated() {
            if index % 1000 == 0 { progress(Progress(phase: "replaying", done: index, total: log.count)) }
            if testIndices.contains(index) {
                if configuration.timing == .timeline { score(index, now: interaction.time) } else { deferred.append(index) }
                continue
            }
            let rule = rules[index]
            recommender.observe(
                item: interaction.item, rule: rule, time: interaction.time, owner: interaction.user,
                history: &histories[interaction.user, default: []])
            let number = recommender.index.intern(interaction.item)
            interacted[interaction.user, default: []].insert(number)
            if rule.kind == .positive { popularity.add(number, weight: Double(rule.weight)) }
            fed += 1
            if fed % max(1, configuration.refreshEvery) == 0 {
                recommender.refresh()
                popularity.refresh()
            }
        }
        recommender.refresh()
        popularity.refresh()
        let end = log.last?.time ?? 0
        for index in deferred { score(index, now: end) }
        progress(Progress(phase: "replaying", done: log.count, total: log.count))

        var results = strategies.enumerated().map { position, strategy in
            EvaluationReport.Result(
                name: strategy.name, kind: .strategy, detail: Self.describe(strategy.placement.definition),
                metrics: metrics[position],
                microsecondsPerDecision: metrics[position].cases == 0
                    ? 0 : Double(elapsed[position].microseconds) / Double(metrics[position].cases))
        }
        if configuration.popularityBaseline {
            results.append(EvaluationReport.Result(
                name: "popularity", kind: .baseline, detail: "most interacted-with items so far", metrics: popularityMetrics,
                microsecondsPerDecision: nil))
        }
        return results
    }

    /// The sources and weights of a strategy, for the report.
    static func describe(_ definition: PlacementDefinition) -> String {
        definition.sources.map { "\($0.source.rawValue) \(JSONWriter.string(.number($0.weight)))" }.joined(separator: ", ")
            + (definition.fallback.isEmpty ? "" : "; fallback " + definition.fallback.map(\.rawValue).joined(separator: ", "))
    }
}

/// The most interacted-with items so far (weights summed), ranked at each refresh.
struct PopularityBaseline {
    private var weights: [Double] = []
    private var ranked: [UInt32] = []

    mutating func add(_ item: UInt32, weight: Double) {
        let position = Int(item)
        if position >= weights.count { weights.append(contentsOf: repeatElement(0, count: position + 1 - weights.count)) }
        weights[position] += weight
    }

    mutating func refresh() {
        ranked = TopK.select(weights.enumerated().lazy.map { (UInt32($0.offset), $0.element) }, k: 1000)
            .filter { $0.score > 0 }.map(\.item)
    }

    /// The `k` most popular items not in `excluded`.
    func top(_ k: Int, excluding excluded: Set<UInt32>) -> [UInt32] {
        var result: [UInt32] = []
        for item in ranked where !excluded.contains(item) {
            result.append(item)
            if result.count == k { break }
        }
        return result
    }
}
