extension OfflineEvaluation {
    /// Trains the batch baseline on every interaction but the held-out ones (choosing its
    /// parameters on a validation split first when there is a grid) and scores it on the same cases.
    func evaluateFactorization(
        _ baseline: FactorizationBaseline, log: [Interaction], rules: [InteractionMapping.Rule], tests: [String: Int],
        progress: (Progress) -> Void
    ) -> [EvaluationReport.Result] {
        guard var chosen = baseline.grid.first else { return [] }
        var userNumbers: [String: Int] = [:]
        var itemNumbers: [String: Int] = [:]
        var itemIds: [String] = []
        let userOf = log.map { interaction -> Int in
            if let number = userNumbers[interaction.user] { return number }
            userNumbers[interaction.user] = userNumbers.count
            return userNumbers.count - 1
        }
        let itemOf = log.map { interaction -> Int in
            if let number = itemNumbers[interaction.item] { return number }
            itemNumbers[interaction.item] = itemIds.count
            itemIds.append(interaction.item)
            return itemIds.count - 1
        }
        let testIndices = Set(tests.values)
        let clock = ContinuousClock()
        let start = clock.now

        // Validation: each person's last positive training interaction, predicted by a model
        // trained without it.
        var tuning: [(parameters: ImplicitALS.Parameters, metrics: RankingMetrics)] = []
        if baseline.grid.count > 1 {
            let validation = Self.heldOut(log, rules: rules, minimumHistory: configuration.minimumHistory, skipping: testIndices)
            let cases = Array(validation.values.sorted().prefix(5000))
            let skipped = testIndices.union(validation.values)
            let matrix = trainingMatrix(log, rules: rules, users: userNumbers.count, items: itemIds.count, userOf: userOf, itemOf: itemOf, skipping: skipped)
            let interacted = interactedSets(users: userNumbers.count, userOf: userOf, itemOf: itemOf, skipping: skipped)
            for (step, parameters) in baseline.grid.enumerated() {
                progress(Progress(phase: "tuning matrix factorization", done: step, total: baseline.grid.count))
                let model = ImplicitALS(matrix: matrix, parameters: parameters)
                var metrics = RankingMetrics(k: configuration.k)
                for index in cases {
                    let ranked = top(model, user: userOf[index], excluding: interacted[userOf[index]])
                    metrics.add(ranked: ranked.map { itemIds[$0] }, heldOut: log[index].item)
                }
                tuning.append((parameters, metrics))
            }
            chosen = tuning.max { ($0.metrics.hitRate, $0.metrics.ndcg) < ($1.metrics.hitRate, $1.metrics.ndcg) }!.parameters
        }

        progress(Progress(phase: "training matrix factorization", done: 0, total: 1))
        let matrix = trainingMatrix(log, rules: rules, users: userNumbers.count, items: itemIds.count, userOf: userOf, itemOf: itemOf, skipping: testIndices)
        let model = ImplicitALS(matrix: matrix, parameters: chosen)
        // Every training interaction of the person is left out (any kind, as for the strategies).
        let interacted = interactedSets(users: userNumbers.count, userOf: userOf, itemOf: itemOf, skipping: testIndices)
        var metrics = RankingMetrics(k: configuration.k)
        for index in tests.values.sorted() {
            let ranked = top(model, user: userOf[index], excluding: interacted[userOf[index]])
            metrics.add(ranked: ranked.map { itemIds[$0] }, heldOut: log[index].item)
        }
        let seconds = Double((clock.now - start).microseconds) / 1e6
        let detail = "implicit ALS, \(chosen)"
            + (tuning.isEmpty ? "" : "; chosen on a validation split among \(tuning.count) settings")
            + "; \((seconds * 10).rounded() / 10) s"
        return [EvaluationReport.Result(name: "als", kind: .baseline, detail: detail, metrics: metrics, microsecondsPerDecision: nil)]
    }

    private func trainingMatrix(
        _ log: [Interaction], rules: [InteractionMapping.Rule], users: Int, items: Int, userOf: [Int], itemOf: [Int],
        skipping: Set<Int>
    ) -> ImplicitALS.Matrix {
        var entries: [(user: Int, item: Int, weight: Float)] = []
        for index in log.indices where !skipping.contains(index) && rules[index].kind == .positive {
            entries.append((userOf[index], itemOf[index], rules[index].weight))
        }
        return ImplicitALS.Matrix(users: users, items: items, entries: entries)
    }

    private func interactedSets(users: Int, userOf: [Int], itemOf: [Int], skipping: Set<Int>) -> [Set<Int>] {
        var sets = Array(repeating: Set<Int>(), count: users)
        for index in userOf.indices where !skipping.contains(index) { sets[userOf[index]].insert(itemOf[index]) }
        return sets
    }

    /// The model's best `k` items for a user, leaving out `excluded`.
    private func top(_ model: ImplicitALS, user: Int, excluding excluded: Set<Int>) -> [Int] {
        let scores = model.scores(user: user)
        return TopK.select(
            scores.enumerated().lazy.filter { !excluded.contains($0.offset) }.map { (UInt32($0.offset), Double($0.element)) },
            k: configuration.k
        ).map { Int($0.item) }
    }
}
