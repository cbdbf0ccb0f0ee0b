import Foundation
import HummingbirdTesting
import KairosCore
import KairosEngine
import KairosStore
import Testing

/// The decision log of a running server, read back for off-policy evaluation.
@Suite struct PolicyLogTests {
    @Test func loggedDecisionsComeBackWithTheirRewardsAndTheStoredModelAsAPolicy() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let accepted = try await withKairos(directory: directory) { client in
            try await OfferDecisionTests.prepare(
                client, extra: [("/v1/admin/placements/app_home", #"{"actions":{"channel":"inapp","exploration":{"policy":"epsilon-greedy","epsilon":0.3}}}"#)])
            var ids: [(String, String)] = []
            for index in 0..<20 {
                let answer = try await OfferDecisionTests.decide(
                    client, #"{"userId":"p\#(index)","placement":"app_home","context":{"page":"home"}}"#)
                ids.append((try #require(answer["decisionId"]?.stringValue), try #require(answer["actions"]?[0]?["id"]?.stringValue)))
            }
            // "No action" is logged too, and skipped by evaluation.
            _ = try await OfferDecisionTests.decide(client, #"{"userId":"p0","placement":"app_home","exclude":["bundle_big","bundle_small"]}"#)
            // Three acceptances, one click on another decision, one event that is no reward.
            for (id, offer) in ids.prefix(3) {
                try await client.send(
                    .post, "/v1/track", key: Keys.write,
                    json: #"{"userId":"x","event":"Offer Accepted","properties":{"decisionId":"\#(id)","offerId":"\#(offer)"}}"#)
            }
            try await client.send(
                .post, "/v1/track", key: Keys.write,
                json: #"{"userId":"x","event":"Offer Viewed","properties":{"decisionId":"\#(ids[5].0)"}}"#)
            return Set(ids.prefix(3).map(\.0))
        }
        let store = try SQLiteStore(directory: directory)
        let (log, model) = try await PolicyLog.read(from: store, placement: "app_home")
        #expect(log.decisions.count == 20)
        #expect(log.skipped == 1)
        #expect(Set(log.decisions.filter { $0.reward == 1 }.map(\.decisionId)) == accepted)
        for decision in log.decisions {
            #expect(decision.candidates.count == 2)
            let probabilities = decision.candidates.compactMap(\.probability)
            #expect(abs(probabilities.reduce(0, +) - 1) < 1e-9)
            #expect(decision.propensity == decision.candidates[try #require(decision.chosenIndex)].probability)
        }
        let learned = try #require(model)
        #expect(learned.updates == 3)
        // Every policy can be evaluated on it, the model's own among them.
        let estimates = PolicyEvaluator(log).evaluate([.logged, .random, .model(learned)])
        #expect(estimates.count == 9)
        #expect(estimates.allSatisfy { $0.used == 20 && $0.value.isFinite })
        // The logged policy's IPS estimate is its own average reward, exactly (weights of 1).
        let loggedIPS = try #require(estimates.first { $0.policy == "logged" && $0.estimator == .ips })
        #expect(abs(loggedIPS.value - 3.0 / 20) < 1e-9)
    }
}
