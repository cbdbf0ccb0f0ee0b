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
