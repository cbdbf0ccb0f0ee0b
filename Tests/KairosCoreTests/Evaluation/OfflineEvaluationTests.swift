import Testing

@testable import KairosCore

@Suite struct OfflineEvaluationTests {
    static let start = Timestamp.parse("2026-11-01T00:00:00Z")!

    /// 20 clusters of 10 items; each person browses one cluster along a chain (item i, then
    /// i + 1), so the next item is predictable from co-visitation but not from popularity.
    static func chains(people: Int = 300, length: Int = 6, seed: UInt64 = 7) -> [Interaction] {
        var generator = SeededGenerator(seed: seed)
        var log: [Interaction] = []
        for person in 0..<people {
            let cluster = Int.random(in: 0..<20, using: &generator)
            var position = Int.random(in: 0..<10, using: &generator)
            var time = start + Millis(person) * 60_000
            for _ in 0..<length {
                log.append(Interaction(user: "u\(person)", item: "c\(cluster)-\(position)", time: time, event: "Product Viewed"))
                position = (position + 1) % 10
                time += 30_000
            }
        }
        return log
    }

    static func evaluation(_ configure: (inout OfflineEvaluation.Configuration) -> Void = { _ in }) throws -> OfflineEvaluation {
        var configuration = OfflineEvaluation.Configuration()
        configuration.refreshEvery = 100
        configure(&configuration)
        let placements = try PlacementSet.compile([.standard], features: .empty)
        return OfflineEvaluation(configuration: configuration, strategies: [.init(name: "default", placement: placements.standard)])
    }

    @Test func metricsFollowTheirDefinitions() {
        var metrics = RankingMetrics(k: 3)
        metrics.add(ranked: ["a", "b", "c"], heldOut: "a")  // rank 1
        metrics.add(ranked: ["a", "b", "c"], heldOut: "c")  // rank 3
        metrics.add(ranked: ["a", "b", "c", "d"], heldOut: "d")  // beyond K
        metrics.add(ranked: [], heldOut: "x")
        #expect(metrics.cases == 4 && metrics.hits == 2)
        #expect(metrics.hitRate == 0.5)
        #expect(abs(metrics.ndcg - (1 + 1 / 2.0) / 4) < 1e-12)  // 1/log2(2) + 1/log2(4)
        #expect(abs(metrics.mrr - (1 + 1 / 3.0) / 4) < 1e-12)
        #expect(metrics.coverage(catalogSize: 10) == 0.3)  // a, b, c: d was below the cut-off
    }

    @Test func theHeldOutCaseIsEachPersonsLastPositiveInteraction() {
        let log = [
            Interaction(user: "a", item: "1", time: 1), Interaction(user: "a", item: "2", time: 2),
            Interaction(user: "a", item: "3", time: 3, event: "Product Removed"),  // negative: not a case
            Interaction(user: "b", item: "1", time: 4),  // one interaction: no history, no case
            Interaction(user: "c", item: "1", time: 5), Interaction(user: "c", item: "9", time: 6),
        ]
        let rules = log.map { $0.rule(in: .standard) }
        #expect(OfflineEvaluation.heldOut(log, rules: rules, minimumHistory: 1) == ["a": 1, "c": 5])
        #expect(OfflineEvaluation.heldOut(log, rules: rules, minimumHistory: 2) == [:])
        #expect(Interaction(user: "a", item: "1", time: 1, event: "transaction").rule(in: .standard).conversion)
        #expect(Interaction(user: "a", item: "1", time: 1, event: "rating").rule(in: .standard).kind == .positive)
    }

    @Test func theDefaultStrategyLearnsSequencesPopularityCannot() throws {
        let report = try Self.evaluation().run(log: Self.chains())
        #expect(report.testCases == 300 && report.users == 300 && report.items == 200)
        let strategy = try #require(report.results.first { $0.name == "default" })
        let popularity = try #require(report.results.first { $0.name == "popularity" })
        #expect(strategy.metrics.cases == 300 && popularity.metrics.cases == 300)
        // Chains are learned from the people before; the first few in each cluster cannot be.
        #expect(strategy.metrics.hitRate > 0.6, "default HR@10 \(strategy.metrics.hitRate)")
        #expect(popularity.metrics.hitRate < 0.2, "popularity HR@10 \(popularity.metrics.hitRate)")
        #expect(strategy.metrics.ndcg > popularity.metrics.ndcg)
        #expect(strategy.microsecondsPerDecision != nil && popularity.microsecondsPerDecision == nil)
    }

    @Test func itemsThePersonInteractedWithAreNeverRecommended() throws {
        // Everyone views x twice, then y (held out): x, the most popular item, must never be shown.
        var log: [Interaction] = []
        for person in 0..<50 {
            let base = Self.start + Millis(person) * 10_000
            log.append(Interaction(user: "p\(person)", item: "x", time: base))
            log.append(Interaction(user: "p\(person)", item: "x", time: base + 500))
            log.append(Interaction(user: "p\(person)", item: "y", time: base + 1000))
        }
        log.append(Interaction(user: "other", item: "z", time: Self.start))
        for timing in OfflineEvaluation.Timing.allCases {
            let report = try Self.evaluation { $0.timing = timing }.run(log: log)
            #expect(report.testCases == 50)
            for result in report.results {
                #expect(!result.metrics.recommended.contains("x"), "\(result.name), \(timing)")
                #expect(result.metrics.recommended == ["z"], "\(result.name), \(timing)")
            }
        }
    }

    @Test func aRepeatIsNotAHeldOutCase() {
        // a: views 1, then 2, then 1 again: the case is 2 (1 could never be recommended).
        let log = [
            Interaction(user: "a", item: "1", time: 1), Interaction(user: "a", item: "2", time: 2),
            Interaction(user: "a", item: "1", time: 3, event: "Order Completed"),
            Interaction(user: "b", item: "1", time: 4), Interaction(user: "b", item: "1", time: 5),
        ]
        #expect(OfflineEvaluation.heldOut(log, rules: log.map { $0.rule(in: .standard) }, minimumHistory: 1) == ["a": 1])
    }

    @Test func theMatrixFactorizationBaselineFindsTheBlocks() throws {
        // Two groups that never share items: the factorization should recommend within the group.
        var log: [Interaction] = []
        var generator = SeededGenerator(seed: 3)
        for person in 0..<120 {
            let group = person % 2
            for step in 0..<5 {
                let item = "g\(group)-\(Int.random(in: 0..<15, using: &generator))"
                log.append(Interaction(user: "p\(person)", item: item, time: Self.start + Millis(person * 10 + step) * 1000))
            }
        }
        let report = try Self.evaluation {
            $0.factorization = .init(grid: [ImplicitALS.Parameters(factors: 8, iterations: 8), ImplicitALS.Parameters(factors: 4, iterations: 8)])
        }.run(log: log)
        let als = try #require(report.results.first { $0.name == "als" })
        #expect(als.metrics.cases == report.testCases)
        #expect(als.detail.contains("chosen on a validation split among 2 settings"))
        // Random choice among the 30 items would hit about a third of the time at K = 10.
        #expect(als.metrics.hitRate > 0.55, "ALS HR@10 \(als.metrics.hitRate)")
    }

    @Test func reportsRenderEveryResult() throws {
        var report = try Self.evaluation().run(log: Self.chains(people: 40))
        report.seconds = 1.5
        let table = report.table()
        #expect(table.contains("HR@10") && table.contains("default") && table.contains("popularity"))
        guard case .object(let json) = report.json(), case .array(let results)? = json["results"] else {
            Issue.record("no results array")
            return
        }
        #expect(results.count == 2 && json["testCases"] == .number(40) && json["timing"] == .string("timeline"))
        let html = report.html()
        #expect(html.contains("<svg") && html.contains("</html>") && html.contains("NDCG@10"))
        #expect(EvaluationReport.escape("<a & \"b\">") == "&lt;a &amp; &quot;b&quot;&gt;")
    }
}
