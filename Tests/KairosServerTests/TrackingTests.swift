import CompressNIO
import Foundation
import HTTPTypes
import HummingbirdTesting
import KairosCore
import NIOCore
import Testing

@Suite struct TrackingTests {
    @Test func trackIsStoredAndVisibleInTheProfileAtOnce() async throws {
        try await withKairos { client in
            let sent = try await client.send(
                .post, "/v1/track", key: Keys.write,
                json: #"{"userId":"u1","event":"Product Viewed","properties":{"product_id":"p1"},"messageId":"m1"}"#)
            #expect(sent.status == 200)
            #expect(sent.body["success"] == true)
            // Read-your-writes: the acknowledged event is already in the profile.
            let profile = try await client.send(.get, "/v1/profiles/u1")
            #expect(profile.status == 200)
            #expect(profile.body["eventCounts"]?["Product Viewed"] == 1)
        }
    }

    @Test func everyTrackingCallLandsInTheRightProfileAndAnonymousActivityMerges() async throws {
        try await withKairos { client in
            try await client.send(.post, "/v1/page", key: Keys.write, json: #"{"anonymousId":"a1","name":"Home"}"#)
            try await client.send(.post, "/v1/screen", key: Keys.write, json: #"{"anonymousId":"a1","name":"Cart"}"#)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"anonymousId":"a1","event":"Product Added"}"#)
            #expect(try await client.send(.get, "/v1/profiles/a1").body["anonymous"] == true)
            try await client.send(
                .post, "/v1/identify", key: Keys.write, json: #"{"userId":"u9","anonymousId":"a1","traits":{"tier":"gold"}}"#)
            try await client.send(.post, "/v1/group", key: Keys.write, json: #"{"userId":"u9","groupId":"acme"}"#)
            try await client.send(.post, "/v1/alias", key: Keys.write, json: #"{"userId":"u9","previousId":"old-id"}"#)
            let profile = try await client.send(.get, "/v1/profiles/a1").body
            #expect(profile["id"] == "u9")
            #expect(profile["traits"]?["tier"] == "gold")
            #expect(profile["eventTotal"] == 6)
            #expect(profile["eventCounts"]?["page"] == 1)
            #expect(profile["eventCounts"]?["screen"] == 1)
            #expect(try await client.send(.get, "/v1/profiles/old-id").body["id"] == "u9")
        }
    }

    @Test func aRepeatedMessageIdIsAcknowledgedButNotCountedTwice() async throws {
        try await withKairos { client in
            let body = #"{"userId":"u1","event":"Order Completed","messageId":"order-1"}"#
            #expect(try await client.send(.post, "/v1/track", key: Keys.write, json: body).body["duplicates"] == 0)
            let again = try await client.send(.post, "/v1/track", key: Keys.write, json: body)
            #expect(again.status == 200)
            #expect(again.body["duplicates"] == 1)
            let batch = try await client.send(
                .post, "/v1/batch", key: Keys.write,
                json: #"{"batch":[{"type":"track","userId":"u1","event":"Order Completed","messageId":"order-1"},{"type":"track","userId":"u1","event":"X","messageId":"x-1"},{"type":"track","userId":"u1","event":"X","messageId":"x-1"}]}"#)
            #expect(batch.body["duplicates"] == 2)
            let profile = try await client.send(.get, "/v1/profiles/u1").body
            #expect(profile["eventCounts"]?["Order Completed"] == 1)
            #expect(profile["eventCounts"]?["X"] == 1)
        }
    }

    @Test func aBatchStoresTheValidEventsAndListsTheRejectedOnes() async throws {
        try await withKairos { client in
            let answer = try await client.send(
                .post, "/v1/batch", key: Keys.write,
                json: """
                    {"batch":[
                      {"type":"track","userId":"u1","event":"Ok"},
                      {"type":"track","event":"No identity"},
                      {"type":"purchase","userId":"u1"},
                      {"type":"track","userId":"u1","event":"Future","timestamp":"2099-01-01T00:00:00Z"},
                      {"type":"identify","userId":7},
                      {"type":"page","anonymousId":"a2"}
                    ]}
                    """)
            #expect(answer.status == 200)
            #expect(answer.body["accepted"] == 2)
            let rejected = answer.body["rejected"]?.arrayValue ?? []
            #expect(rejected.map { $0["index"] } == [1, 2, 3, 4])
            #expect(rejected.map { $0["code"] } == ["missing_identity", "unknown_type", "timestamp_in_future", "invalid_field"])
            #expect(rejected[3]["field"] == "userId")
            #expect(try await client.send(.get, "/v1/profiles/u1").body["eventTotal"] == 1)
        }
    }

    @Test func aBatchWithOnlyInvalidEventsIsAnError() async throws {
        try await withKairos { client in
            let answer = try await client.send(
                .post, "/v1/batch", key: Keys.write, json: #"{"batch":[{"type":"track","event":"E"}]}"#)
            #expect(answer.status == 422)
            #expect(answer.body["error"]?["index"] == 0)
            #expect(answer.body["rejected"]?.arrayValue?.count == 1)
        }
    }

    @Test func badBodiesGetTheirDocumentedStatus() async throws {
        try await withKairos { client in
            let malformed = try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId": "u1", "event": }"#)
            #expect(malformed.status == 400)
            #expect(malformed.body["error"]?["code"] == "malformed_json")
            #expect(malformed.body["error"]?["message"]?.stringValue?.contains("line 1, column 27") == true)

            let wrongType = try await client.send(
                .post, "/v1/track", key: Keys.write, json: #"{"userId":"u1","event":"E"}"#,
                headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(wrongType.status == 415)
            #expect(wrongType.body["error"]?["field"] == "Content-Type")

            let wrongEncoding = try await client.send(
                .post, "/v1/track", key: Keys.write, json: #"{"userId":"u1","event":"E"}"#,
                headers: [.contentEncoding: "br"])
            #expect(wrongEncoding.status == 415)

            let notGzip = try await client.send(
                .post, "/v1/track", key: Keys.write, json: #"{"userId":"u1","event":"E"}"#,
                headers: [.contentEncoding: "gzip"])
            #expect(notGzip.status == 400)
            #expect(notGzip.body["error"]?["code"] == "invalid_encoding")

            let huge = "{\"batch\":[" + Array(repeating: #"{"type":"track","userId":"u1","event":"E"}"#, count: 20_000).joined(separator: ",") + "]}"
            let tooLarge = try await client.send(.post, "/v1/batch", key: Keys.write, json: huge)
            #expect(tooLarge.status == 413)

            let bigEvent = #"{"userId":"u1","event":"E","properties":{"x":""# + String(repeating: "y", count: 33_000) + "\"}}"
            #expect(try await client.send(.post, "/v1/track", key: Keys.write, json: bigEvent).status == 413)

            let empty = try await client.send(.post, "/v1/track", key: Keys.write, json: "")
            #expect(empty.status == 400)
            // Nothing of the above was stored, and the server still serves.
            #expect(try await client.send(.get, "/v1/profiles/u1").status == 404)
            #expect(try await client.send(.get, "/healthz", key: nil).status == 200)
        }
    }

    @Test func gzipBodiesAreAccepted() async throws {
        try await withKairos { client in
            var plain = ByteBuffer(string: #"{"batch":[{"type":"track","userId":"gz","event":"Zipped"}]}"#)
            let zipped = try plain.compress(with: .gzip())
            let status = try await client.execute(
                uri: "/v1/batch", method: .post,
                headers: [.authorization: basic(Keys.write), .contentType: "application/json", .contentEncoding: "gzip"],
                body: zipped
            ) { Int($0.status.code) }
            #expect(status == 200)
            #expect(try await client.send(.get, "/v1/profiles/gz").body["eventCounts"]?["Zipped"] == 1)
        }
    }

    @Test func keysAndScopesAreEnforced() async throws {
        try await withKairos { client in
            let event = #"{"userId":"u1","event":"E"}"#
            let missing = try await client.send(.post, "/v1/track", key: nil, json: event)
            #expect(missing.status == 401)
            #expect(missing.body["error"]?["code"] == "unauthorized")
            #expect(try await client.send(.post, "/v1/track", key: "kw_wrong", json: event).status == 401)
            // Bearer works too, and a secret key may also ingest.
            #expect(
                try await client.send(
                    .post, "/v1/track", key: nil, json: event, headers: [.authorization: "Bearer \(Keys.secret)"]
                ).status == 200)
            // A write key in the body (sendBeacon) is accepted.
            #expect(
                try await client.send(
                    .post, "/v1/track", key: nil, json: #"{"userId":"u1","event":"E","writeKey":"\#(Keys.write)"}"#
                ).status == 200)
            let forbidden = try await client.send(.get, "/v1/profiles/u1", key: Keys.write)
            #expect(forbidden.status == 403)
            #expect(forbidden.body["error"]?["code"] == "forbidden")
            #expect(try await client.send(.get, "/v1/profiles/u1", key: nil).status == 401)
            #expect(try await client.send(.put, "/v1/items/i1", key: Keys.write, json: #"{"title":"x"}"#).status == 403)
            #expect(try await client.send(.get, "/v1/profiles/u1").body["eventTotal"] == 2)
        }
    }

    @Test func unknownRoutesAnswerTheErrorShape() async throws {
        try await withKairos { client in
            let answer = try await client.send(.get, "/v1/nothing-here", key: nil)
            #expect(answer.status == 404)
            #expect(answer.body["error"]?["code"] == "not_found")
        }
    }
}
