import Foundation
import GRDB
import KairosCore
@testable import KairosStore
import Testing

/// Events inserted through the statement's SQLite handle: a failed row undoes its whole group and
/// leaves the statement usable; records stored with a body (before bodies were dropped) read back as stored.
@Suite struct EventRowsTests {
    static func event(_ id: String, body: String? = nil) -> Event {
        Event(
            messageId: id, type: .track, name: "Viewed", userId: "u1", timestamp: 1_000, receivedAt: 2_000,
            traits: ["tier": "gold"], body: Array((body ?? #"{"type":"track","event":"Viewed","messageId":"\#(id)"}"#).utf8))
    }

    @Test func aRefusedRowUndoesItsGroupAndTheNextGroupIsWritten() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        try await store.pool.write { db in
            try db.execute(
                sql: "CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.message_id = 'bad' BEGIN SELECT RAISE(ABORT, 'refused'); END")
        }
        await #expect(throws: DatabaseError.self) { try await store.append([Self.event("a"), Self.event("bad"), Self.event("b")]) }
        #expect(try await store.eventCount() == 0)
        let refused = await store.beginAppend([Self.event("bad")]).result
        #expect(throws: DatabaseError.self) { try refused.get() }
        // The cached statement is clean again: every column of the next row is its own.
        let sequence = try await store.append([Self.event("c"), Self.event("c"), Self.event("d")])
        #expect(sequence.count == 3 && sequence[1] == nil && sequence[0] != nil && sequence[2] == sequence[0].map { $0 + 1 })
        let rows = try await store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT message_id, name, user_id, anonymous_id, traits, body FROM events ORDER BY seq")
        }
        #expect(rows.map { $0[0] as String } == ["c", "d"])
        #expect(rows.allSatisfy { ($0[3] as String?) == nil && ($0[2] as String?) == "u1" && ($0[4] as String?) == #"{"tier":"gold"}"# })
        #expect((rows[1][5] as String) == #"{"type":"track","event":"Viewed","messageId":"d"}"#)
    }

    @Test func noColumnCarriesOverFromThePreviousRow() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        // Rows that alternate between every optional column set and none of them, in one group.
        let full = Event(
            messageId: "full", type: .alias, name: nil, userId: "u1", anonymousId: "a1", previousId: "p1", timestamp: 1_000,
            receivedAt: 2_000, traits: ["tier": "gold"], consent: ["marketing": true], body: Array(#"{"full":1}"#.utf8))
        let bare = Event(messageId: "bare", type: .track, name: "Viewed", anonymousId: "a2", timestamp: 3_000, receivedAt: 4_000, body: Array(#"{"bare":1}"#.utf8))
        var again = full
        again.messageId = "full-again"
        var bareAgain = bare
        bareAgain.messageId = "bare-again"
        _ = try await store.append([full, bare, again, bareAgain])
        let rows = try await store.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT message_id, type, name, user_id, anonymous_id, previous_id, ts, received_at, traits, consent, body FROM events ORDER BY seq")
        }
        func columns(_ row: Row) -> [String?] {
            (0..<11).map { index -> String? in
                switch (row[index] as DatabaseValue).storage {
                case .null: return nil
                case .int64(let number): return String(number)
                case .string(let text): return text
                default: return "?"
                }
            }
        }
        let fullColumns: [String?] = ["alias", nil, "u1", "a1", "p1", "1000", "2000", #"{"tier":"gold"}"#, #"{"marketing":true}"#, #"{"full":1}"#]
        let bareColumns: [String?] = ["track", "Viewed", nil, "a2", nil, "3000", "4000", nil, nil, #"{"bare":1}"#]
        #expect(rows.map(columns) == [["full"] + fullColumns, ["bare"] + bareColumns, ["full-again"] + fullColumns, ["bare-again"] + bareColumns])
    }

    @Test func aSegmentRecordStoredWithItsBodyReadsBackAsStored() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        let body = #"{"type":"track","event":"Segment Entered","messageId":"segment:7:vip:entered","userId":"u1","properties":{"segment":"vip","older":true}}"#
        var record = Self.event("segment:7:vip:entered", body: body)
        record.name = "Segment Entered"
        _ = try await store.append([record])
        let listed = try await store.events(of: PersonIds(userIds: ["u1"], anonymousIds: []), beforeSeq: nil, limit: 5)
        #expect(listed.map(\.body) == [try JSONParser.parse(body)])
    }
}
