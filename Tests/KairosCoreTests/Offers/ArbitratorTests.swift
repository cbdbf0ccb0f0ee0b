import Testing
@testable import KairosCore

@Suite struct ArbitratorTests {
    @Test func everyRejectionNamesItsStageAndExplainsItselfWhenAsked() throws {
        func offer(_ id: String, _ change: (inout OfferDefinition) -> Void = { _ in }) -> OfferDefinition {
            var definition = OfferDefinition(id: id, issue: "retention", group: "bundles", channels: ["web": .object([:])])
            change(&definition)
            return definition
        }
        let offers = try OfferSet.compile(
            [
                offer("winner") { $0.value = .constant(10) },
                offer("runner") { $0.value = .constant(5) },
                offer("tiny") { $0.value = .constant(0.001) },
                offer("gone") { $0.validTo = 1000 },
                offer("gold") { $0.eligibility = #"profile.traits.tier == "gold""# },
                offer("other") { $0.issue = "sales" },
                offer("mail") { $0.channels = ["email": .object([:])] },
                offer("skipped"),
            ], features: .empty)
        var placement = PlacementDefinition(id: "p", limit: 1)
        placement.actions = ActionArbitration(issues: ["retention"], channel: "web", threshold: 0.01, exploration: .greedy)
        let arbitrator = try #require(Arbitrator(placement: try PlacementSet.compile([placement], features: .empty).placements["p"]!, offers: offers))
        var request = Arbitrator.Request(context: EvaluationContext(now: 5000), requestContext: [:], history: [], limit: 1)
        request.exclude = ["skipped"]
        var generator = SeededGenerator(seed: 1)
        let result = arbitrator.arbitrate(request, using: &generator) { _, survivors in survivors.map { _ in (0, 0, 0.5, 0) } }
        #expect(result.chosen.map(\.offer.definition.id) == ["winner"])
        let reasons = Dictionary(uniqueKeysWithValues: result.rejections.map { ($0.offer, "\($0.stage.rawValue): \($0.reason)") })
        #expect(reasons == [
            "runner": "outranked: priority 2.5 lost to winner (5)",
            "tiny": "threshold: priority 0.0005 is below the threshold 0.01",
            "gone": "validity: expired at 1970-01-01T00:00:01.000Z",
            "gold": #"eligibility: not eligible: profile.traits.tier == "gold""#,
            "other": "placement: issue sales/bundles does not compete here",
            "mail": "channel: no payload for channel web",
            "skipped": "excluded: excluded by the request",
        ])
    }

    /// A short history is searched per offer, a long one grouped once: both suppress alike.
    @Test func suppressionReadsShortAndLongHistoriesAlike() throws {
        let day: Millis = 86_400_000
        let offers = try OfferSet.compile(
            ["a", "b", "c"].map { id in
                var definition = OfferDefinition(id: id, issue: "retention", group: "bundles", channels: ["web": .object([:])])
                definition.value = .constant(id == "a" ? 3 : id == "b" ? 2 : 1)
                definition.suppression = [.impressions(count: 3, within: 14 * day), .dismissed(within: nil)]
                return definition
            }, features: .empty)
        var placement = PlacementDefinition(id: "p", limit: 3)
        placement.actions = ActionArbitration(channel: "web", exploration: .greedy)
        let arbitrator = try #require(Arbitrator(placement: try PlacementSet.compile([placement], features: .empty).placements["p"]!, offers: offers))
        let now = 30 * day
        // "a" shown three times lately, "b" dismissed, "c" shown once.
        let short = [
            ActionTouch(offer: "a", kind: .impression, time: now - 3 * day), ActionTouch(offer: "a", kind: .impression, time: now - 2 * day),
            ActionTouch(offer: "b", kind: .dismissed, time: now - 2 * day), ActionTouch(offer: "a", kind: .impression, time: now - day),
            ActionTouch(offer: "c", kind: .impression, time: now - day),
        ]
        // The same, among 20 touches of an offer no longer defined.
        let long = (0..<20).map { ActionTouch(offer: "gone", kind: .dismissed, time: Millis($0)) } + short
        for history in [short, long] {
            let request = Arbitrator.Request(context: EvaluationContext(now: now), requestContext: [:], history: history, limit: 3)
            var generator = SeededGenerator(seed: 1)
            let result = arbitrator.arbitrate(request, using: &generator) { _, survivors in survivors.map { _ in (0, 0, 0.5, 0) } }
            #expect(result.chosen.map(\.offer.definition.id) == ["c"])
            #expect(Dictionary(uniqueKeysWithValues: result.rejections.map { ($0.offer, $0.stage) }) == ["a": .suppression, "b": .suppression])
        }
    }

    /// Thompson sampling draws from each candidate's posterior: without variance it is greedy;
    /// with it, the first slot's probabilities are the share of draws each won, and the later
    /// slots are drawn from what is left.
    @Test func thompsonSamplingRecordsTheShareOfDrawsEachCandidateWon() throws {
        let offers = try OfferSet.compile(
            ["sure", "unsure", "poor"].map { id in
                var definition = OfferDefinition(id: id, issue: "retention", group: "bundles", channels: ["web": .object([:])])
                definition.value = .constant(1)
                return definition
            }, features: .empty)
        var placement = PlacementDefinition(id: "p", limit: 3)
        placement.actions = ActionArbitration(channel: "web", exploration: .thompson)
        let arbitrator = try #require(Arbitrator(placement: try PlacementSet.compile([placement], features: .empty).placements["p"]!, offers: offers))
        let request = Arbitrator.Request(context: EvaluationContext(now: 0), requestContext: [:], history: [], limit: 3)
        func decide(variance: Double, seed: UInt64) -> Arbitrator.Result {
            var generator = SeededGenerator(seed: seed)
            return arbitrator.arbitrate(request, using: &generator) { _, survivors in
                survivors.map { offer -> Arbitrator.Prediction in
                    switch offer.definition.id {
                    case "sure": (0.4, 0, PropensityModel.sigmoid(0.4), 0)
                    case "unsure": (0, variance, 0.5, 0)
                    default: (-4, 0, PropensityModel.sigmoid(-4), 0)
                    }
                }
            }
        }
        let certain = decide(variance: 0, seed: 1)
        #expect(certain.chosen.map(\.offer.definition.id) == ["sure", "unsure", "poor"])
        #expect(certain.candidates.map(\.probability) == [1, 0, 0])
        #expect(certain.chosen.map(\.probability) == [1, 1, 1])
        for seed in UInt64(1)...5 {
            let uncertain = decide(variance: 4, seed: seed)
            let first = uncertain.candidates.map(\.probability)
            #expect(abs(first.reduce(0, +) - 1) < 1e-12)
            #expect(first[0] > 0 && first[1] > 0 && first[2] == 0)  // "poor" never wins a draw
            #expect(Set(uncertain.chosen.map(\.offer.definition.id)) == ["sure", "unsure", "poor"])
            #expect(uncertain.chosen[0].probability == first[uncertain.candidates.firstIndex { $0.offer.index == uncertain.chosen[0].offer.index }!])
            #expect(uncertain.chosen.last?.probability == 1)  // the last slot has one candidate left
        }
    }

    @Test func aMemoSlotKeepsItsFirstAnswerAndNoSlotAlwaysEvaluates() throws {
        let gold = try Expression.compileCondition(#"profile.traits.tier == "gold""#)
        let goldContext = EvaluationContext(profile: ["traits": ["tier": "gold"]], now: 0)
        let silverContext = EvaluationContext(profile: ["traits": ["tier": "silver"]], now: 0)
        var memo = ConditionMemo(count: 1)
        let first = memo.matches(gold, slot: 0, goldContext)
        let reused = memo.matches(gold, slot: 0, silverContext)  // the slot's answer is reused
        let unslotted = memo.matches(gold, slot: nil, silverContext)
        #expect(first && reused && !unslotted)
    }

    /// Offers sharing a rule that does not read the offer evaluate it once a decision; a rule
    /// that reads the offer is evaluated for each, and both give what evaluating each would.
    @Test func sharedRulesAreEvaluatedOnceAndGiveTheSameAnswers() throws {
        func offer(_ id: String, _ change: (inout OfferDefinition) -> Void) -> OfferDefinition {
            var definition = OfferDefinition(id: id, issue: "retention", group: "bundles", channels: ["web": .object([:])])
            definition.value = .constant(1)
            change(&definition)
            return definition
        }
        let gold = #"profile.traits.tier == "gold""#
        let offers = try OfferSet.compile(
            [
                offer("a") { $0.eligibility = gold },
                offer("b") { $0.eligibility = gold; $0.applicability = #"context.page == "home""# },
                offer("c") { $0.eligibility = #"offer.attributes.tier == profile.traits.tier"#; $0.attributes = ["tier": "gold"] },
                offer("d") { $0.eligibility = #"offer.attributes.tier == profile.traits.tier"#; $0.attributes = ["tier": "silver"] },
                offer("e") { $0.applicability = #"context.page == "home""# },
                offer("f") { $0.eligibility = gold; $0.applicability = #"context.page == "cart""# },
            ], features: .empty)
        #expect(offers.sharedConditions == 3)
        #expect(offers.offers.map(\.eligibilitySlot) == [0, 0, nil, nil, nil, 0])
        #expect(offers.offers.map(\.applicabilitySlot) == [nil, 1, nil, nil, 1, 2])
        var placement = PlacementDefinition(id: "p", limit: 6)
        placement.actions = ActionArbitration(issues: ["retention"], channel: "web", threshold: 0, exploration: .greedy)
        let arbitrator = try #require(Arbitrator(placement: try PlacementSet.compile([placement], features: .empty).placements["p"]!, offers: offers))
        for tier in ["gold", "silver"] {
            let context = EvaluationContext(
                event: ["context": ["page": "home"]], profile: ["traits": ["tier": .string(tier)]], now: 5000)
            let request = Arbitrator.Request(context: context, requestContext: ["page": "home"], history: [], limit: 6)
            var generator = SeededGenerator(seed: 1)
            let result = arbitrator.arbitrate(request, using: &generator) { _, survivors in survivors.map { _ in (0, 0, 0.5, 0) } }
            let chosen = Set(result.chosen.map(\.offer.definition.id))
            #expect(chosen == (tier == "gold" ? ["a", "b", "c", "e"] : ["d", "e"]), "\(tier)")
        }
    }
}
