import Foundation
import HummingbirdTesting
import KairosCore
import KairosServer
import Testing

/// `POST /v1/decide`: cold start, personal neighbours with readable reasons, filters, rules,
/// diversity, exclusions, consent and read-your-writes.
@Suite struct DecideTests {
    static let catalog = """
        {"items":[
          {"id":"tent-1","title":"Trail Tent","category":["Outdoor","Tents"],"price":199,"tags":["camping"]},
          {"id":"tent-2","title":"Dome Tent","category":["Outdoor","Tents"],"price":149,"tags":["camping"]},
          {"id":"tent-3","title":"Ultralight Tent","category":["Outdoor","Tents"],"price":349,"tags":["camping","sale"]},
          {"id":"bag-1","title":"Sleeping Bag","category":["Outdoor","Sleeping"],"price":89,"tags":["camping"]},
          {"id":"lamp-1","title":"Head Lamp","category":["Outdoor","Lights"],"price":29},
          {"id":"shoe-1","title":"Trail Runner","category":["Shoes","Running"],"price":120},
          {"id":"shoe-2","title":"Road Runner","category":["Shoes","Running"],"price":110},
          {"id":"sock-1","title":"Running Socks","category":["Shoes","Socks"],"price":12,"available":false}
        ]}
        """

    /// People who viewed a tent also viewed the bag and the lamp; runners viewed both shoes.
    static func seed(_ client: some TestClientProtocol) async throws {
        #expect(try await client.send(.post, "/v1/items", json: catalog).status == 200)
        var events: [String] = []
        for person in 0..<6 {
            for item in ["tent-1", "bag-1", "lamp-1"] {
                events.append(#"{"type":"track","userId":"camper-\#(person)","event":"Product Viewed","properties":{"product_id":"\#(item)"}}"#)
            }
            for item in ["shoe-1", "shoe-2"] {
                events.append(#"{"type":"track","userId":"runner-\#(person)","event":"Product Viewed","properties":{"product_id":"\#(item)"}}"#)
            }
        }
        let batch = try await client.send(.post, "/v1/batch", key: Keys.write, json: #"{"batch":[\#(events.joined(separator: ","))]}"#)
        #expect(batch.status == 200)
    }

    static func decide(_ client: some TestClientProtocol, _ body: String) async throws -> (status: Int, body: JSONValue) {
        try await client.send(.post, "/v1/decide", key: Keys.write, json: body)
    }

    static func ids(_ response: (status: Int, body: JSONValue)) -> [String] {
        response.body["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
    }

    @Test func readYourWritesGivesNeighboursWithReasonsNamingRealItems() async throws {
        try await withKairos { client async throws -> Void in
            try await Self.seed(client)
            // A new visitor views a tent; the very next decision reflects it.
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"anonymousId":"v1","event":"Product Viewed","properties":{"product_id":"tent-1"}}"#)
            let response = try await Self.decide(client, #"{"anonymousId":"v1","placement":"home","limit":3}"#)
            #expect(response.status == 200)
            #expect(response.body["decisionId"]?.stringValue?.isEmpty == false)
            let ids = Self.ids(response)
            #expect(Set(ids.prefix(2)) == ["bag-1", "lamp-1"])
            let reasons = response.body["items"]?.arrayValue?.first?["reasons"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(reasons == ["because you viewed Trail Tent"])
            #expect(response.body["personalized"] == true)
        }
    }

    @Test func aBrandNewAnonymousVisitorGetsASensibleList() async throws {
        try await withKairos { client async throws -> Void in
            try await Self.seed(client)
            try await Task.sleep(for: .milliseconds(1200))  // the refresher ranks popular items
            let response = try await Self.decide(client, #"{"placement":"home","limit":5}"#)
            #expect(response.status == 200)
            let ids = Self.ids(response)
            #expect(ids.count == 5)
            #expect(!ids.contains("sock-1"))  // unavailable
            #expect(response.body["personalized"] == false)
        }
    }

    @Test func filtersRulesDiversityAndExclusions() async throws {
        try await withKairos { client async throws -> Void in
            try await Self.seed(client)
            let placement = #"""
                {"sources":[{"source":"content","weight":1}],"filter":"item.price < 300",
                 "rules":[{"if":"item.id == \"bag-1\"","pin":true},{"if":"item.id == \"tent-2\"","bury":true}],
                 "diversity":{"maxPerCategory":1},"fallback":[]}
                """#
            #expect(try await client.send(.put, "/v1/admin/placements/product_page", json: placement).status == 200)
            try await Task.sleep(for: .milliseconds(1200))  // the refresher indexes the new catalog
            let response = try await Self.decide(
                client, #"{"userId":"camper-0","placement":"product_page","context":{"item_id":"tent-1"},"exclude":["lamp-1"],"limit":5}"#)
            let ids = Self.ids(response)
            #expect(ids.first == "bag-1")  // pinned
            #expect(!ids.contains("tent-3"))  // filtered by price
            #expect(!ids.contains("lamp-1"))  // excluded by the request
            #expect(ids.filter { $0.hasPrefix("tent-") }.count <= 1)  // one per category
            #expect(response.body["strategy"] == "product_page")
            // Bad definitions are refused with the field and position.
            let bad = try await client.send(.put, "/v1/admin/placements/broken", json: #"{"filter":"item.price <"}"#)
            #expect(bad.status == 422)
            #expect(bad.body["error"]?["field"] == "filter")
            let badSource = try await client.send(.put, "/v1/admin/placements/broken", json: #"{"sources":[{"source":"magic"}]}"#)
            #expect(badSource.status == 422)
            #expect(try await client.send(.get, "/v1/admin/placements/broken").status == 404)
        }
    }

    @Test func withdrawnPersonalizationConsentGivesNonPersonalResultsOnly() async throws {
        try await withKairos { client async throws -> Void in
            try await Self.seed(client)
            try await client.send(.put, "/v1/profiles/camper-1/consent", json: #"{"personalization":false}"#)
            let response = try await Self.decide(client, #"{"userId":"camper-1","placement":"home"}"#)
            #expect(response.status == 200)
            #expect(response.body["personalized"] == false)
            #expect(response.body["notice"]?.stringValue?.contains("consent") == true)
            let sources = response.body["items"]?.arrayValue?.compactMap { $0["source"]?.stringValue } ?? []
            #expect(!sources.contains("personal") && !sources.contains("session") && !sources.contains("recent"))
        }
    }

    @Test func badRequestsAreRefusedWithTheField() async throws {
        try await withKairos { client async throws -> Void in
            #expect(try await Self.decide(client, #"{"userId":"x"}"#).body["error"]?["field"] == "placement")
            #expect(try await Self.decide(client, #"{"placement":"home","limit":0}"#).body["error"]?["field"] == "limit")
            #expect(try await Self.decide(client, #"{"placement":"home","exclude":[1]}"#).body["error"]?["index"] == 0)
            #expect(try await Self.decide(client, #"{"placement":"home","context":[]}"#).status == 422)
            #expect(try await client.send(.post, "/v1/decide", key: nil, json: #"{"placement":"home"}"#).status == 401)
        }
    }
}
