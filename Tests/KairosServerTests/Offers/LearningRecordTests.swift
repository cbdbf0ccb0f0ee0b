import Testing

@testable import KairosCore
@testable import KairosEngine

/// The learning record is written straight to bytes: it must be the compact, sorted-key JSON of
/// what it says, with the numbers at single precision.
@Suite struct LearningRecordTests {
    @Test func theRecordIsCanonicalJSONWithEveryColumn() throws {
        var definitions: [OfferDefinition] = []
        for (index, value) in [12.345678912, 3.0, 0.000123456789].enumerated() {
            var offer = OfferDefinition(id: "o\"\(index)", issue: "retention", group: index == 1 ? "h" : "g", channels: ["web": .object([:])])
            offer.value = .constant(value)
            definitions.append(offer)
        }
        let offers = try OfferSet.compile(definitions, features: .empty)
        var placement = PlacementDefinition(id: "p", limit: 1)
        placement.actions = ActionArbitration(issues: ["retention"], channel: "web", threshold: 0, exploration: .greedy)
        let arbitrator = try #require(Arbitrator(placement: try PlacementSet.compile([placement], features: .empty).placements["p"]!, offers: offers))
        let request = Arbitrator.Request(context: EvaluationContext(now: 5000), requestContext: ["page": "home"], history: [], limit: 1)
        var generator = SeededGenerator(seed: 1)
        let result = arbitrator.arbitrate(request, using: &generator) { _, survivors in survivors.map { _ in (0, 0, 0.25, 0) } }
        let bytes = OfferEngine.learningRecord(result)
        let record = try JSONParser.parse(bytes)
        #expect(JSONWriter.bytes(record) == bytes, "\(String(decoding: bytes, as: UTF8.self))")
        #expect(record["chosen"] == "o\"0" && record["winners"] == ["o\"0"] && record["propensity"] == 1)
        #expect(record["offers"]?["id"] == ["o\"0", "o\"1", "o\"2"])
        #expect(record["offers"]?["value"] == [12.345679, 3, 0.00012345679])
        #expect(record["offers"]?["priority"] == [3.0864198, 0.75, 3.0864197e-05])
        #expect(record["offers"]?["probability"] == [1, 0, 0])
        #expect(record["offers"]?["lever"] == [1, 1, 1])
        #expect(record["offers"]?["group"] == [0, 1, 0] && record["offers"]?["groups"] == ["retention/g", "retention/h"])
        // Off-policy evaluation reads the groups back as text, and still reads records that held the text.
        let candidates = PolicyLog.candidates(record["offers"])?.arrayValue ?? []
        #expect(candidates.map { $0["group"] } == ["retention/g", "retention/h", "retention/g"])
        #expect(candidates.map { $0["id"] } == ["o\"0", "o\"1", "o\"2"])
        let older: JSONValue = ["id": ["a", "b"], "group": ["x/y", "z/w"], "value": [1, 2]]
        #expect(PolicyLog.candidates(older)?.arrayValue?.map { $0["group"] } == ["x/y", "z/w"])
        #expect(record["context"] == ["bias": 1, "context:page=home": 1])
    }

    /// Groups are numbered in the record's own order of first appearance, not in the order the
    /// offer set numbered them.
    @Test func groupsAreNumberedAsTheCandidatesComeInTheRecord() throws {
        let definitions = [("a", "g", 1.0), ("b", "h", 9.0), ("c", "g", 5.0), ("d", "i", 3.0)].map { id, group, value in
            var offer = OfferDefinition(id: id, issue: "retention", group: group, channels: ["web": .object([:])])
            offer.value = .constant(value)
            return offer
        }
        let offers = try OfferSet.compile(definitions, features: .empty)
        #expect(offers.offers.map(\.taxonomyNumber) == [0, 1, 0, 2])
        var placement = PlacementDefinition(id: "p", limit: 1)
        placement.actions = ActionArbitration(channel: "web", threshold: 0, exploration: .greedy)
        let arbitrator = try #require(Arbitrator(placement: try PlacementSet.compile([placement], features: .empty).placements["p"]!, offers: offers))
        let request = Arbitrator.Request(context: EvaluationContext(now: 0), requestContext: [:], history: [], limit: 1)
        var generator = SeededGenerator(seed: 1)
        let result = arbitrator.arbitrate(request, using: &generator) { _, survivors in survivors.map { _ in (0, 0, 0.5, 0) } }
        let record = try JSONParser.parse(OfferEngine.learningRecord(result))
        // By priority: b (h), c (g), d (i), a (g).
        #expect(record["offers"]?["id"] == ["b", "c", "d", "a"])
        #expect(record["offers"]?["group"] == [0, 1, 2, 1])
        #expect(record["offers"]?["groups"] == ["retention/h", "retention/g", "retention/i"])
    }

    @Test func singlePrecisionKeepsAboutSevenDigitsAndFallsBackOutsideItsRange() {
        let cases: [(Double, String)] = [
            (0, "0"), (25, "25"), (-3, "-3"), (0.1, "0.1"), (1 / 3, "0.33333334"), (123_456_789.0, "1.2345679e+08"),
            (1e-40, "1e-40"), (1e40, "1e+40"), (.infinity, "null"),
        ]
        for (value, text) in cases {
            var output: [UInt8] = []
            OfferEngine.writeSingle(value, into: &output)
            #expect(String(decoding: output, as: UTF8.self) == text, "\(value)")
        }
    }
}
