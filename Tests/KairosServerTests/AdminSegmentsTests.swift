import Foundation
import HummingbirdTesting
import KairosCore
import Testing

@Suite struct AdminSegmentsTests {
    @Test func liveSegmentsRecordEnteredAndExitedAndKeepTheirSizes() async throws {
        try await withKairos { client in
            #expect(
                try await client.send(
                    .put, "/v1/admin/features/carts", json: #"{"type":"count","filter":"event.name == \"Product Added\""}"#
                ).status == 200)
            #expect(
                try await client.send(
                    .put, "/v1/admin/features/orders", json: #"{"type":"count","filter":"event.name == \"Order Completed\""}"#
                ).status == 200)
            let put = try await client.send(
                .put, "/v1/admin/segments/cart_abandoners",
                json: #"{"condition":"features.carts >= 1 && features.orders == 0","description":"added, never bought"}"#)
            #expect(put.status == 200)
            #expect(
                try await client.send(
                    .put, "/v1/admin/segments/gold_abandoners",
                    json: #"{"condition":"\"cart_abandoners\" in segments && profile.traits.tier == \"gold\""}"#
                ).status == 200)

            try await client.send(.post, "/v1/identify", key: Keys.write, json: #"{"userId":"s1","traits":{"tier":"gold"}}"#)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"s1","event":"Product Added"}"#)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"s2","event":"Product Added"}"#)
            var profile = try await client.send(.get, "/v1/profiles/s1").body
            #expect(profile["segments"] == ["cart_abandoners", "gold_abandoners"])
            let sizes = try await client.send(.get, "/v1/admin/segments").body["segments"]?.arrayValue ?? []
            #expect(sizes.map { $0["size"] } == [2, 1])

            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"s1","event":"Order Completed"}"#)
            profile = try await client.send(.get, "/v1/profiles/s1").body
            #expect(profile["segments"] == [])
            #expect(try await client.send(.get, "/v1/admin/segments/cart_abandoners").body["size"] == 1)

            // The transitions are in the profile's history (written right after their cause).
            var names: [JSONValue] = []
            for _ in 0..<100 {
                names = (try await client.send(.get, "/v1/profiles/s1/events?limit=20").body["events"]?.arrayValue ?? []).map { $0["event"] ?? .null }
                if names.filter({ $0 == "Segment Exited" }).count == 2 { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(names.filter { $0 == "Segment Entered" }.count == 2)
            #expect(names.filter { $0 == "Segment Exited" }.count == 2)
            let metrics = try await client.send(.get, "/metrics", key: nil).body.stringValue ?? ""
            #expect(metrics.contains(#"kairos_segment_members{segment="cart_abandoners"} 1"#))
        }
    }

    @Test func segmentRecordsOfConcurrentBatchesAreEachStoredOnceAfterTheirCause() async throws {
        try await withKairos { client in
            #expect(try await client.send(.put, "/v1/admin/features/views", json: #"{"type":"count"}"#).status == 200)
            #expect(try await client.send(.put, "/v1/admin/segments/seen", json: #"{"condition":"features.views >= 1"}"#).status == 200)
            // Many batches at once: the records of one commit group go out with the next group.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for batch in 0..<20 {
                    group.addTask {
                        let events = (0..<10).map { #"{"type":"track","event":"Viewed","userId":"c\#(batch)-\#($0)"}"# }
                        let response = try await client.send(
                            .post, "/v1/batch", key: Keys.write, json: #"{"batch":[\#(events.joined(separator: ","))]}"#)
                        #expect(response.status == 200)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await client.send(.get, "/v1/admin/segments/seen").body["size"] == 200)
            for batch in 0..<20 {
                for person in 0..<10 {
                    var events: [JSONValue] = []
                    for _ in 0..<100 {
                        events = try await client.send(.get, "/v1/profiles/c\(batch)-\(person)/events?limit=20").body["events"]?.arrayValue ?? []
                        if events.count == 2 { break }
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    let entered = events.filter { $0["event"] == "Segment Entered" }
                    let viewed = events.filter { $0["event"] == "Viewed" }
                    #expect(entered.count == 1 && viewed.count == 1, "c\(batch)-\(person): \(events)")
                    let record = try #require(entered.first?["seq"]?.numberValue)
                    let cause = try #require(viewed.first?["seq"]?.numberValue)
                    #expect(record > cause)
                }
            }
        }
    }

    @Test func invalidSegmentsAreRejected() async throws {
        try await withKairos { client in
            let syntax = try await client.send(.put, "/v1/admin/segments/x", json: #"{"condition":"features. >"}"#)
            #expect(syntax.status == 422)
            #expect(syntax.body["error"]?["field"] == "condition")
            #expect(syntax.body["error"]?["column"] != nil)
            #expect(try await client.send(.put, "/v1/admin/segments/x", json: #"{"condition":"features.nope > 1"}"#).status == 422)
            #expect(try await client.send(.put, "/v1/admin/segments/x", json: #"{"condition":"1 + 2"}"#).status == 422)
            #expect(try await client.send(.put, "/v1/admin/segments/x", json: #"{}"#).body["error"]?["field"] == "condition")
            #expect(try await client.send(.put, "/v1/admin/segments/a", json: #"{"condition":"true"}"#).status == 200)
            #expect(try await client.send(.put, "/v1/admin/segments/b", json: #"{"condition":"\"a\" in segments"}"#).status == 200)
            let cycle = try await client.send(.put, "/v1/admin/segments/a", json: #"{"condition":"\"b\" in segments"}"#)
            #expect(cycle.status == 422)
            #expect(cycle.body["error"]?["code"] == "dependency_cycle")
            #expect(try await client.send(.delete, "/v1/admin/segments/a").status == 409)
            #expect(try await client.send(.get, "/v1/admin/segments").body["segments"]?.arrayValue?.count == 2)
            // A segment's name in a string that is not a membership test is no dependency.
            #expect(try await client.send(.put, "/v1/admin/segments/gold", json: #"{"condition":"true"}"#).status == 200)
            #expect(try await client.send(.put, "/v1/admin/segments/tiered", json: #"{"condition":"profile.traits.tier == \"gold\""}"#).status == 200)
            #expect(try await client.send(.put, "/v1/admin/segments/gold", json: #"{"condition":"\"tiered\" in segments"}"#).status == 200)
            #expect(try await client.send(.delete, "/v1/admin/segments/tiered").status == 409)  // gold uses it
            #expect(try await client.send(.put, "/v1/admin/segments/gold", json: #"{"condition":"true"}"#).status == 200)
            #expect(try await client.send(.delete, "/v1/admin/segments/gold").status == 204)
        }
    }

    @Test func aNewSegmentIsEvaluatedForExistingProfilesAtOnce() async throws {
        try await withKairos { client in
            try await client.send(.post, "/v1/identify", key: Keys.write, json: #"{"userId":"old1","traits":{"tier":"gold"}}"#)
            try await client.send(.post, "/v1/identify", key: Keys.write, json: #"{"userId":"old2","traits":{"tier":"silver"}}"#)
            try await client.send(.put, "/v1/admin/segments/gold", json: #"{"condition":"profile.traits.tier == \"gold\""}"#)
            #expect(try await client.send(.get, "/v1/admin/segments/gold").body["size"] == 1)
            #expect(try await client.send(.get, "/v1/profiles/old1").body["segments"] == ["gold"])
        }
    }
}
