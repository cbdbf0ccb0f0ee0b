import Foundation
import GRDB
import KairosCore
@testable import KairosStore
import Testing

/// Decisions are logged through the statement's handle, their bodies bound as bytes.
@Suite struct DecisionLogRowsTests {
    static let now: Millis = 1_800_000_000_000

    @Test func bodiesAreStoredByteForByteAndAnIdLoggedTwiceOnce() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        // Text beyond ASCII (bound by its UTF-8 length, not its characters), no person at all,
        // an empty body object, and a body given as a value rather than bytes.
        let encoded = Array(#"{"items":[{"id":"café-✓","reasons":["parce que vous avez vu « Été »"]}]}"#.utf8)
        let records = [
            DecisionRecord(
                id: DecisionId.make(at: Self.now), profileKey: nil, userId: nil, anonymousId: nil, placement: "home",
                createdAt: Self.now, encodedBody: encoded),
            DecisionRecord(
                id: DecisionId.make(at: Self.now + 1), profileKey: "u:ü", userId: "ü", anonymousId: nil, placement: "home",
                createdAt: Self.now + 1, body: ["items": [], "note": "größer"]),
            DecisionRecord(
                id: DecisionId.make(at: Self.now + 2), profileKey: "a:a1", userId: nil, anonymousId: "a1", placement: "home",
                createdAt: Self.now + 2, encodedBody: Array("{}".utf8)),
        ]
        try await store.appendDecisions(records)
        // The first again, between two new ones: it is kept once, the others are logged.
        let later = (3..<5).map {
            DecisionRecord(
                id: DecisionId.make(at: Self.now + Millis($0)), profileKey: nil, userId: nil, anonymousId: "a\($0)", placement: "p",
                createdAt: Self.now + Millis($0), body: [:])
        }
        try await store.appendDecisions([later[0], records[0], later[1]])
        let rows = try await store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, body, user_bucket, anonymous_bucket FROM decisions ORDER BY rowid")
        }
        #expect(rows.count == 5)
        let stored: [String] = rows.map { $0["body"] }
        #expect(stored[0] == String(decoding: encoded, as: UTF8.self))
        #expect(stored[1] == #"{"items":[],"note":"größer"}"#)
        #expect(stored[2] == "{}")
        #expect((rows[0]["user_bucket"] as Int?) == nil && (rows[0]["anonymous_bucket"] as Int?) == nil)
        #expect((rows[1]["user_bucket"] as Int?) == DecisionRecord.ownerBucket(of: "ü"))
        #expect((rows[2]["anonymous_bucket"] as Int?) == DecisionRecord.ownerBucket(of: "a1"))
        let (first, _) = try #require(try await store.decision(id: records[0].id))
        #expect(first.body == (try JSONParser.parse(encoded)) && first.userId == nil && first.anonymousId == nil)
    }
}
