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
}
