import Testing

@testable import KairosCore

@Suite struct ItemTests {
    @Test func parsesAFullItem() throws {
        let item = try Item.parse(
            [
                "title": "Road Racer", "category": "Shoes > Running", "tags": ["road"], "price": 149, "currency": "EUR",
                "availability": "out_of_stock", "createdAt": "2026-10-01T09:00:00Z", "brand": "Kairos",
            ], id: "shoe-2", now: 5)
        #expect(item.id == "shoe-2")
        #expect(item.category == ["Shoes", "Running"])
        #expect(item.available == false)
        #expect(item.attributes["brand"] == "Kairos")
        #expect(try Item.parse(item.json, id: "shoe-2", now: 5) == item)
    }

    @Test(arguments: [
        (#"{"id":"x","price":-1}"#, "price"), (#"{"id":"x","price":"9"}"#, "price"), (#"{"id":"x","currency":"euro"}"#, "currency"),
        (#"{"id":"x","tags":[1]}"#, "tags[0]"), (#"{"id":"x","category":{"a":1}}"#, "category"), (#"{"title":"t"}"#, "id"),
        (#"{"id":"x","createdAt":"soon"}"#, "createdAt"), (#"{"id":"x","available":"maybe"}"#, "available"), (#"{"id":"x","availability":5}"#, "availability"),
    ])
    func rejectsInvalidFields(json: String, field: String) throws {
        let value = try JSONParser.parse(json)
        #expect {
            _ = try Item.parse(value, now: 0)
        } throws: { error in
            (error as? APIError)?.field == field && (error as? APIError)?.status == 422
        }
    }
}
