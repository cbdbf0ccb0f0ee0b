import Foundation
import HummingbirdTesting
import KairosCore
import Testing

/// Budgets under concurrency, learning from outcomes, what survives a restart, and triggers that
/// decide at an action placement under the channel's contact policy.
@Suite struct OfferLearningTests {
    /// The person's outbox once it holds `count` messages (or after 5 s).
    static func deliveries(of user: String, atLeast count: Int, _ client: any TestClientProtocol) async throws -> [JSONValue] {
        var messages: [JSONValue] = []
        for _ in 0..<50 {
            messages = try await client.send(.get, "/v1/admin/deliveries?userId=\(user)").body["deliveries"]?.arrayValue ?? []
            if messages.count >= count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return messages
    }

    @Test func concurrentDecisionsNeverExceedABudgetAndARestartKeepsItAndTheModel() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withKairos(directory: directory) { client in
            try await OfferDecisionTests.prepare(
                client,
                extra: [
                    ("/v1/admin/campaigns/spring", #"{"budget":{"total":7}}"#),
                    ("/v1/admin/offers/bundle_big", #"{"issue":"retention","group":"bundles","value":20,"channels":{"inapp":{"title":"Big"}},"budget":{"perDay":5}}"#),
                    ("/v1/admin/offers/bundle_small", #"{"issue":"retention","group":"bundles","value":5,"channels":{"inapp":{"title":"Small"}},"campaign":"spring"}"#),
                ])
            let winners = try await withThrowingTaskGroup(of: String?.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let answer = try await OfferDecisionTests.decide(
                            client, #"{"userId":"u\#(index)","placement":"app_home"}"#)
                        return answer["actions"]?[0]?["id"]?.stringValue
                    }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(winners.filter { $0 == "bundle_big" }.count == 5)
            #expect(winners.filter { $0 == "bundle_small" }.count == 7)
            #expect(winners.filter { $0 == nil }.count == 28)
            let offer = try await client.send(.get, "/v1/admin/offers/bundle_big").body
            #expect(offer["budgetUsed"]?["today"] == 5)
            // An acceptance teaches the placement's model.
            let decision = try await OfferDecisionTests.decide(client, #"{"userId":"ann","placement":"app_home","audit":true}"#)
            #expect(decision["actions"] == .array([]))  // budgets used up
            try await client.send(.put, "/v1/admin/offers/plain", json: #"{"issue":"sales","group":"plain","channels":{"inapp":{"title":"P"}}}"#)
            let shown = try await OfferDecisionTests.decide(client, #"{"userId":"ann","placement":"app_home"}"#)
            let decisionId = try #require(shown["decisionId"]?.stringValue)
            #expect(shown["actions"]?[0]?["id"] == "plain")
            try await client.send(
                .post, "/v1/track", key: Keys.write,
                json: #"{"userId":"ann","event":"Offer Accepted","properties":{"decisionId":"\#(decisionId)","offerId":"plain"}}"#)
            let models = try await client.send(.get, "/v1/admin/models").body
            let model = try #require(models["models"]?[0])
            #expect(model["id"] == "app_home")
            #expect(model["updates"] == 1)
            #expect(model["actions"]?["plain"]?["positives"] == 1)
        }
        try await withKairos(directory: directory) { client in
            let models = try await client.send(.get, "/v1/admin/models").body
            #expect(models["models"]?[0]?["updates"] == 1)
            #expect(models["models"]?[0]?["positives"] == 1)
            let again = try await OfferDecisionTests.decide(client, #"{"userId":"new","placement":"app_home","audit":true}"#)
            // Budgets survived: only the unbudgeted offer is left.
            #expect(again["actions"]?[0]?["id"] == "plain")
            let stages = (again["audit"]?.arrayValue ?? []).filter { $0["stage"] == "budget" }.compactMap { $0["id"]?.stringValue }
            #expect(Set(stages) == ["bundle_big", "bundle_small"])
            // The accepted offer stays remembered for the person after the restart.
            let ann = try await OfferDecisionTests.decide(client, #"{"userId":"ann","placement":"app_home"}"#)
            #expect(ann["actions"]?[0]?["id"] == "plain")
        }
    }

    @Test func aTriggerDecidesAtAnActionPlacementAndTheContactCapHoldsTheSecondTime() async throws {
        try await withKairos { client in
            try await OfferDecisionTests.prepare(
                client,
                extra: [
                    ("/v1/admin/channels/inapp", #"{"type":"inapp","caps":[{"count":1,"per":"24h"}]}"#),
                    ("/v1/admin/placements/data_nba", #"{"actions":{"channel":"inapp","outbound":true,"exploration":{"policy":"greedy"}}}"#),
                    ("/v1/admin/triggers/data_out", #"{"when":"event.name == \"Data Exhausted\"","channel":"inapp","placement":"data_nba"}"#),
                ])
            for _ in 0..<2 {
                try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"ann","event":"Data Exhausted"}"#)
                try await Task.sleep(for: .milliseconds(300))
            }
            let messages = try await Self.deliveries(of: "ann", atLeast: 2, client)
            #expect(messages.count == 2)
            let sent = messages.first { $0["state"] != "suppressed" }
            let capped = messages.first { $0["state"] == "suppressed" }
            #expect(sent?["payload"]?["offerId"] == "bundle_small")
            #expect(sent?["payload"]?["title"] == "Small for Ann")
            #expect(sent?["payload"]?["decisionId"]?.stringValue != nil)
            #expect(capped?["lastError"]?.stringValue?.contains("contact cap") == true)
        }
    }

    @Test func aTriggerNamingNoActionPlacementLeavesItsMessageSuppressedWithTheReason() async throws {
        try await withKairos { client in
            try await OfferDecisionTests.prepare(
                client,
                extra: [
                    ("/v1/admin/channels/inapp", #"{"type":"inapp"}"#),
                    ("/v1/admin/placements/items_only", #"{"limit":3}"#),
                    ("/v1/admin/triggers/lost", #"{"when":"event.name == \"Data Exhausted\"","channel":"inapp","placement":"items_only"}"#),
                ])
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"ann","event":"Data Exhausted"}"#)
            let messages = try await Self.deliveries(of: "ann", atLeast: 1, client)
            #expect(messages.count == 1)
            #expect(messages.first?["state"] == "suppressed")
            #expect(messages.first?["lastError"] == "no action placement 'items_only'")
        }
    }

    @Test func quietHoursHoldAnOutboundDecisionOnlyWhileTheyLast() async throws {
        try await withKairos { client in
            try await OfferDecisionTests.prepare(
                client, extra: [("/v1/admin/placements/push_nba", #"{"actions":{"channel":"inapp","outbound":true}}"#)])
            let request = #"{"userId":"ann","placement":"push_nba","context":{"timezone":"Europe/Berlin"}}"#
            // Quiet now in Berlin: no action.
            try await client.send(
                .put, "/v1/admin/channels/inapp", json: #"{"type":"inapp","quietHours":\#(quietHours(from: -30, to: 30, zone: "Europe/Berlin"))}"#)
            let held = try await OfferDecisionTests.decide(client, request)
            #expect(held["noAction"]?.stringValue?.contains("quiet hours in Europe/Berlin") == true)
            // Quiet later tonight only: the decision goes out.
            try await client.send(
                .put, "/v1/admin/channels/inapp", json: #"{"type":"inapp","quietHours":\#(quietHours(from: 120, to: 180, zone: "Europe/Berlin"))}"#)
            let sent = try await OfferDecisionTests.decide(client, request)
            #expect(sent["noAction"] == false)
        }
    }
}
