import Testing
@testable import KairosCore

@Suite struct PropensityLearningTests {
    @Test func theLearnedPolicyReachesNinetyPercentOfTheOracleAndBeatsStaticAndRandom() {
        var configuration = OfferScenario.Configuration()
        configuration.decisions = 30_000
        configuration.checkpointEvery = 30_000
        configuration.evaluationPeople = 500
        let (curve, _) = OfferScenario(configuration: configuration).run()
        let last = try! #require(curve.last)
        #expect(last.learned >= 0.9 * last.oracle, "\(last)")
        #expect(last.learned > 1.5 * last.staticPriority, "\(last)")
        #expect(last.learned > 3 * last.random, "\(last)")
    }

    @Test func withoutExplorationTheModelStaysStuckBelowTheExploringOne() {
        var configuration = OfferScenario.Configuration()
        configuration.decisions = 15_000
        configuration.checkpointEvery = 15_000
        configuration.evaluationPeople = 300
        configuration.exploration = .greedy
        let greedy = OfferScenario(configuration: configuration).run().curve.last!
        configuration.exploration = .epsilonGreedy(0.05)
        let exploring = OfferScenario(configuration: configuration).run().curve.last!
        #expect(exploring.learned > greedy.learned, "greedy \(greedy.learned), exploring \(exploring.learned)")
    }

    @Test func ftrlLearnsARateAndAPriorGivesWayToOutcomes() {
        var model = PropensityModel()
        let vector = FeatureHasher.vector(shared: [.init(name: "bias")], action: [.init(name: "action:a"), .init(name: "group:x/y")], bits: 18)
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<4000 { model.update(vector, action: "a", positive: generator.chance(0.2)) }
        let learned = PropensityModel.sigmoid(model.logit(vector))
        #expect(abs(learned - 0.2) < 0.04, "\(learned)")
        // A configured prior dominates a fresh action and fades as outcomes arrive.
        let fresh = PropensityModel()
        #expect(abs(fresh.propensity(logit: 0, action: "b", prior: 0.01).propensity - 0.01) < 1e-9)
        let seasoned = model.propensity(logit: model.logit(vector), action: "a", prior: 0.9)
        #expect(seasoned.priorWeight < 0.01)
    }

    @Test func aModelSurvivesItsCheckpointBytesExactly() throws {
        var model = PropensityModel(parameters: .init(bits: 12))
        let vector = FeatureHasher.vector(shared: [.init(name: "trait:tier=gold"), .init(name: "bias")], action: FeatureHasher.tokens(of: OfferDefinition(id: "a", issue: "i", group: "g", channels: [:])), bits: 12)
        for index in 0..<50 {
            model.update(vector, action: "a", positive: index % 3 == 0, names: FeatureHasher.names(shared: [.init(name: "trait:tier=gold"), .init(name: "bias")], action: FeatureHasher.tokens(of: OfferDefinition(id: "a", issue: "i", group: "g", channels: [:]))))
        }
        let restored = try #require(PropensityModel(serialized: model.serialized()))
        #expect(restored.logit(vector) == model.logit(vector))
        #expect(restored.logitVariance(vector) == model.logitVariance(vector))
        #expect(restored.updates == 50 && restored.positives == 17)
        #expect(restored.recentAUC == model.recentAUC)
        #expect(restored.notableWeights().map(\.name) == model.notableWeights().map(\.name))
        #expect(PropensityModel(serialized: Array(model.serialized().dropLast(3))) == nil)
        #expect(PropensityModel(serialized: Array("nope".utf8)) == nil)
    }

    @Test func predictionsReadTheSameFeaturesAnUpdateWrites() throws {
        var model = PropensityModel(parameters: .init(bits: 12))
        let offers = try OfferSet.compile(
            ["a", "b"].map {
                var offer = OfferDefinition(id: $0, issue: "i", group: "g\($0)", channels: [:])
                offer.attributes = ["kind": .string("bundle"), "margin": .number(2.5)]
                return offer
            }, features: .empty)
        let shared = [FeatureHasher.Token(name: "bias"), .init(name: "trait:tier=gold"), .init(name: "feature:spend", value: 1.7)]
        for index in 0..<30 {
            let offer = offers.offers[index % 2]
            model.update(FeatureHasher.vector(shared: shared, action: offer.tokens, bits: 12), action: offer.definition.id, positive: index % 5 == 0)
        }
        let predictions = model.predictions(shared: shared, offers: offers.offers)
        for (offer, prediction) in zip(offers.offers, predictions) {
            let vector = FeatureHasher.vector(shared: shared, action: offer.tokens, bits: 12)
            #expect(prediction.logit == model.logit(vector))
            #expect(abs(prediction.variance - model.logitVariance(vector)) < 1e-12)
            #expect(prediction.logit != 0)
        }
        // Without the variance (what all but Thompson sampling ask for), the same log-odds.
        let withoutVariance = model.predictions(shared: shared, offers: offers.offers, variance: false)
        #expect(withoutVariance.map(\.logit) == predictions.map(\.logit))
        #expect(withoutVariance.map(\.propensity) == predictions.map(\.propensity))
        #expect(withoutVariance.allSatisfy { $0.variance == 0 })
    }

    @Test func epsilonGreedyLogsTheProbabilityOfEachDraw() throws {
        let offers = try OfferSet.compile(
            (0..<4).map { OfferDefinition(id: "o\($0)", issue: "i", group: "g", channels: ["web": .object([:])]) }, features: .empty)
        var placement = PlacementDefinition(id: "p", limit: 1)
        placement.actions = ActionArbitration(channel: "web", exploration: .epsilonGreedy(0.2))
        let compiled = try PlacementSet.compile([placement], features: .empty).placements["p"]!
        let arbitrator = try #require(Arbitrator(placement: compiled, offers: offers))
        var generator = SeededGenerator(seed: 3)
        var probabilities: Set<Double> = []
        for _ in 0..<200 {
            let result = arbitrator.arbitrate(
                Arbitrator.Request(context: EvaluationContext(now: 0), requestContext: [:], history: [], limit: 1), using: &generator
            ) { _, candidates in
                // o2 is the clear favourite.
                candidates.map { ($0.definition.id == "o2" ? 2.0 : -2.0, 0.1, $0.definition.id == "o2" ? 0.9 : 0.1, 0.0) }
            }
            let chosen = try #require(result.chosen.first)
            probabilities.insert((chosen.probability * 1e9).rounded() / 1e9)
            // Every candidate carries its first-slot probability; the winner's is the one it was drawn with.
            #expect(abs(result.candidates.reduce(0) { $0 + $1.probability } - 1) < 1e-12)
            #expect(result.candidates.first { $0.offer.index == chosen.offer.index }?.probability == chosen.probability)
            #expect(chosen.explored == (chosen.offer.definition.id != "o2"))
        }
        // 1 − ε + ε/4 for the favourite, ε/4 for the others.
        #expect(probabilities == [0.85, 0.05])
    }
}
