import HummingbirdTesting
import KairosCore
import Testing

@Suite struct ItemsTests {
    @Test func itemsCanBePutReadAndDeleted() async throws {
        try await withKairos { client in
            let put = try await client.send(
                .put, "/v1/items/shoe-1",
                json: #"{"title":"Trail Runner","category":"Shoes > Running","tags":["trail"],"price":129,"currency":"EUR","available":true,"brand":"K"}"#)
            #expect(put.status == 200)
            let item = try await client.send(.get, "/v1/items/shoe-1").body
            #expect(item["category"] == ["Shoes", "Running"])
            #expect(item["attributes"]?["brand"] == "K")
            #expect(item["price"] == 129)
            #expect(try await client.send(.delete, "/v1/items/shoe-1").status == 204)
            #expect(try await client.send(.get, "/v1/items/shoe-1").status == 404)
            #expect(try await client.send(.delete, "/v1/items/shoe-1").status == 404)
        }
    }

    @Test func invalidItemsAreRejectedWithTheField() async throws {
        try await withKairos { client in
            let bad = try await client.send(.put, "/v1/items/x", json: #"{"price":"cheap"}"#)
            #expect(bad.status == 422)
            #expect(bad.body["error"]?["field"] == "price")
            let mismatch = try await client.send(.put, "/v1/items/x", json: #"{"id":"y"}"#)
            #expect(mismatch.body["error"]?["field"] == "id")
            #expect(try await client.send(.get, "/v1/items/x").status == 404)
        }
    }

    @Test func bulkStoresValidItemsAndListsTheRest() async throws {
        try await withKairos { client in
            let answer = try await client.send(
                .post, "/v1/items",
                json: #"{"items":[{"id":"a","title":"A"},{"title":"no id"},{"id":"b","currency":"euros"},{"id":"c","tags":["x"]}]}"#)
            #expect(answer.status == 200)
            #expect(answer.body["stored"] == 2)
            #expect(answer.body["rejected"]?.arrayValue?.map { $0["index"] } == [1, 2])
            #expect(answer.body["rejected"]?.arrayValue?.map { $0["field"] } == ["id", "currency"])
            #expect(try await client.send(.get, "/v1/items/c").status == 200)
            #expect(try await client.send(.get, "/v1/items/b").status == 404)
            #expect(try await client.send(.post, "/v1/items", json: #"{"things":[]}"#).status == 422)
        }
    }
}
