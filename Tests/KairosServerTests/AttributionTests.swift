import Foundation
import HummingbirdTesting
import KairosCore
import KairosServer
import Testing

/// Outcomes sent back with `properties.decisionId` are stored with the event and attributed to
/// the decision: by position and source, with purchases and revenue; bad ids are refused.
@Suite struct AttributionTests {
    @discardableResult
    static func track(_ client: some TestClientProtocol, _ body: String) async throws -> (status: Int, body: JSONValue) {
        try await client.send(.post, "/v1/track", key: Keys.write, json: body)
    }

    @Test func clicksAndPurchasesAreAttributedToTheDecisionPositionAndSource() async throws {
        try await withKairos { client async throws -> Void in
            try await DecideTests.seed(client)
            try await Self.track(client, #"{"userId":"shopper","event":"Product Viewed","properties":{"product_id":"tent-1"}}"#)
            let decision = try await DecideTests.decide(client, #"{"userId":"shopper","placement":"home","limit":2}"#)
            let decisionId = try #require(decision.body["decisionId"]?.stringValue)
            let shown = DecideTests.ids(decision)
            #expect(shown.count == 2)
            let second = shown[1]
            // A click on the second item, a purchase of it, and an event about an item not shown.
            #expect(try await Self.track(client, #"{"userId":"shopper","event":"Product Clicked","properties":{"product_id":"\#(second)","decisionId":"\#(decisionId)"}}"#).status == 200)
            #expect(try await Self.track(client, #"{"userId":"shopper","event":"Order Completed","properties":{"products":[{"product_id":"\#(second)"}],"revenue":89.5,"decisionId":"\#(decisionId)"}}"#).status == 200)
            #expect(try await Self.track(client, #"{"userId":"shopper","event":"Product Clicked","properties":{"product_id":"shoe-2","decisionId":"\#(decisionId)"}}"#).status == 200)
            // Another decision at the same placement with no outcome.
            _ = try await DecideTests.decide(client, #"{"anonymousId":"someone","placement":"home"}"#)

            let logged = try await client.send(.get, "/v1/admin/decisions/\(decisionId)")
            #expect(logged.status == 200)
            #expect(logged.body["placement"] == "home" && logged.body["userId"] == "shopper")
            #expect(logged.body["response"]?["items"]?.arrayValue?.count == 2)
            let outcomes = logged.body["outcomes"]?.arrayValue ?? []
            #expect(outcomes.map { $0["name"]?.stringValue } == ["Product Clicked", "Order Completed", "Product Clicked"])
            #expect(outcomes[1]["revenue"] == 89.5)

            let report = try await client.send(.get, "/v1/admin/placements/home/report")
            #expect(report.status == 200)
            #expect(report.body["decisions"] == 2)
            #expect(report.body["engaged"] == 1 && report.body["converted"] == 1)
            #expect(report.body["engagementRate"] == 0.5 && report.body["revenue"] == 89.5)
            #expect(report.body["outcomes"] == 3 && report.body["unattributed"] == 1)
            #expect(report.body["engagedByPosition"] == .array([.object(["position": 2, "engaged": 2])]))
            let source = decision.body["items"]?.arrayValue?[1]["source"]
            #expect(report.body["bySource"] == .array([.object(["source": source ?? .null, "engaged": 2, "converted": 1])]))
            // Another placement has nothing.
            #expect(try await client.send(.get, "/v1/admin/placements/cart/report").body["decisions"] == 0)
        }
    }

    @Test func badDecisionIdsAndWindowsAreRefused() async throws {
        try await withKairos { client async throws -> Void in
            let number = try await Self.track(client, #"{"userId":"u","event":"Product Clicked","properties":{"product_id":"a","decisionId":42}}"#)
            #expect(number.status == 422)
            #expect(number.body["error"]?["field"] == "properties.decisionId")
            let long = String(repeating: "d", count: 300)
            #expect(try await Self.track(client, #"{"userId":"u","event":"Product Clicked","properties":{"decisionId":"\#(long)"}}"#).status == 422)
            // Null or empty is no decision.
            #expect(try await Self.track(client, #"{"userId":"u","event":"Product Clicked","properties":{"decisionId":null}}"#).status == 200)
            let missing = try await client.send(.get, "/v1/admin/decisions/nope")
            #expect(missing.status == 404 && missing.body["error"]?["code"] == "not_found")
            let badTime = try await client.send(.get, "/v1/admin/placements/home/report?from=yesterday")
            #expect(badTime.status == 422 && badTime.body["error"]?["field"] == "from")
            let badEnd = try await client.send(.get, "/v1/admin/placements/home/report?to=2026-13-40")
            #expect(badEnd.status == 422 && badEnd.body["error"]?["field"] == "to")
            let reversed = try await client.send(.get, "/v1/admin/placements/home/report?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z")
            #expect(reversed.status == 422)
            let tooLong = try await client.send(.get, "/v1/admin/placements/home/report?from=2025-01-01T00:00:00Z&to=2026-11-01T00:00:00Z")
            #expect(tooLong.status == 422 && tooLong.body["error"]?["field"] == "from")
            #expect(try await client.send(.get, "/v1/admin/decisions/x", key: Keys.write).status == 403)
        }
    }

    @Test func outcomesSurviveARestartAndGoWithAnErasure() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let decisionId = try await withKairos(directory: directory) { client async throws -> String in
            try await DecideTests.seed(client)
            try await Self.track(client, #"{"userId":"leaver","event":"Product Viewed","properties":{"product_id":"tent-1"}}"#)
            let decision = try await DecideTests.decide(client, #"{"userId":"leaver","placement":"home"}"#)
            let id = try #require(decision.body["decisionId"]?.stringValue)
            let item = try #require(DecideTests.ids(decision).first)
            #expect(try await Self.track(client, #"{"userId":"leaver","event":"Product Clicked","properties":{"product_id":"\#(item)","decisionId":"\#(id)"}}"#).status == 200)
            return id
        }
        try await withKairos(directory: directory) { client async throws -> Void in
            let logged = try await client.send(.get, "/v1/admin/decisions/\(decisionId)")
            #expect(logged.body["outcomes"]?.arrayValue?.count == 1)
            #expect(try await client.send(.delete, "/v1/profiles/leaver").status == 200)
            #expect(try await client.send(.get, "/v1/admin/decisions/\(decisionId)").status == 404)
            #expect(try await client.send(.get, "/v1/admin/placements/home/report").body["outcomes"] == 0)
        }
    }

    @Test func reportAttributionFollowsTheWindowAndTheMapping() {
        let decidedAt = Timestamp.parse("2026-11-20T10:00:00Z")!
        let decision: JSONValue = .object(["items": .array([
            .object(["id": "a", "position": 1, "source": "personal"]), .object(["id": "b", "position": 2, "source": "trending"]),
        ])])
        var summary = OutcomeSummary()
        summary.decisions = 4
        func add(_ id: String, _ name: String, _ items: [String], at offset: Millis, revenue: Double? = nil) {
            summary.outcomes.append((DecisionOutcome(decisionId: id, name: name, items: items, revenue: revenue, time: decidedAt + offset), decidedAt, decision))
        }
        add("d1", "Product Clicked", ["b"], at: 60_000)
        add("d1", "Order Completed", ["b"], at: 120_000, revenue: 20)
        add("d2", "Product Clicked", ["a"], at: 8 * 86_400_000)  // too late
        add("d3", "Recommendation Dismissed", [], at: 1000)  // the whole list
        add("d4", "Product List Viewed", ["a"], at: 1000)  // an impression: neither engages nor dismisses
        let report = OutcomeReport(summary: summary, placement: "home", from: 0, to: decidedAt + 1, mapping: .standard)
        #expect(report.engaged == 1 && report.converted == 1 && report.dismissed == 1 && report.unattributed == 1)
        #expect(report.revenue == 20 && report.engagedByPosition == [2: 2])
        #expect(report.bySource["trending"]?.engaged == 2 && report.bySource["trending"]?.converted == 1)
        #expect(report.json["engagementRate"] == 0.25)
    }
}
