import Foundation
import KairosCore
import KairosEngine
import Testing

/// Interaction files for `kairos evaluate`: dataset CSVs with their usual column names, and
/// Kairos tracking events.
@Suite struct InteractionReaderTests {
    static func write(_ text: String, as name: String) throws -> String {
        let path = temporaryDataDirectory() + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func readsDatasetColumnsInSecondsMillisecondsOrISO() throws {
        let path = try Self.write(
            """
            user_id,item_id,timestamp,event_type
            1,10,1700000000,view
            1,11,1700000000123,purchase
            2,10,2026-11-01T10:00:00Z,
            3,,1700000000,view
            4,12,yesterday,view
            5,12,nan,view
            """, as: "ratings.csv")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let result = try InteractionReader().read(path: path)
        #expect(result.records == 6 && result.skipped == 3)
        #expect(result.interactions == [
            Interaction(user: "1", item: "10", time: 1_700_000_000_000, event: "view"),
            Interaction(user: "1", item: "11", time: 1_700_000_000_123, event: "purchase"),
            Interaction(user: "2", item: "10", time: Timestamp.parse("2026-11-01T10:00:00Z")!),
        ])
        #expect(result.problems == [
            "line 4: 'item' is required",
            "line 5: 'timestamp' must be an ISO 8601 time or a number of seconds or milliseconds",
            "line 6: 'timestamp' must be an ISO 8601 time or a number of seconds or milliseconds",
        ])
    }

    @Test func readsTrackingEventsOneInteractionPerProduct() throws {
        let path = try Self.write(
            """
            {"type":"identify","userId":"u1","anonymousId":"a1","timestamp":"2026-11-01T10:00:00Z"}
            {"type":"track","event":"Product Viewed","anonymousId":"a1","timestamp":"2026-11-01T10:01:00Z","properties":{"product_id":"p1"}}
            {"type":"track","event":"Order Completed","userId":"u1","timestamp":"2026-11-01T10:02:00Z","properties":{"products":[{"product_id":"p1"},{"product_id":"p2"}]}}
            {"type":"track","event":"Signed Up","userId":"u1","timestamp":"2026-11-01T10:03:00Z","properties":{}}
            {"type":"track","event":"Order Refunded","userId":"u1","timestamp":"2026-11-01T10:04:00Z","properties":{"products":[{"product_id":"p1"}]}}
            {"user":"u2","item":"p3","timestamp":1700000000}
            not json
            {"user":"u3","item":"p4","ts":1e300}
            {"user":"u4","item":"p5","time":true}
            {"user":"u5","item":"p6"}
            """, as: "events.ndjson")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let result = try InteractionReader().read(path: path)
        #expect(result.records == 10 && result.skipped == 4)  // the refund is not an interaction (unmapped, as live)
        #expect(result.interactions.map(\.item) == ["p1", "p1", "p2", "p3"])
        #expect(result.interactions.map(\.user) == ["a1", "u1", "u1", "u2"])
        #expect(result.interactions[1].event == "Order Completed" && result.interactions[3].event == nil)
        #expect(Array(result.problems.dropFirst()) == [
            "line 8: 'ts' must be an ISO 8601 time or a number of seconds or milliseconds",
            "line 9: 'time' must be an ISO 8601 time or a number of seconds or milliseconds",
            "line 10: 'timestamp' is required",
        ])
        #expect(result.problems.first?.hasPrefix("line 7:") == true)
    }
}
