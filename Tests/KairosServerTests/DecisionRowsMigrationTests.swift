import Foundation
import GRDB
import KairosCore
@testable import KairosStore
import Testing

/// The decision log moves to a table with row ids, where a logged response shares its leaf page
/// with others instead of taking an overflow page of its own; what was logged before is kept.
@Suite struct DecisionRowsMigrationTests {
    static let now: Millis = 1_800_000_000_000
    /// A response body of the size the item placements log (about 1.2 KB).
    static let body = JSONValue.object(["items": .array((0..<10).map { .string("item-\($0)-" + String(repeating: "x", count: 100)) })])

    static func record(_ number: Int, user: String? = "u1") -> DecisionRecord {
        DecisionRecord(
            id: DecisionId.make(at: now + Millis(number)), profileKey: user.map { "u:\($0)" } ?? "a:a1", userId: user,
            anonymousId: user == nil ? "a1" : nil, placement: "home", createdAt: now + Millis(number), body: body)
    }

    @Test func decisionsLoggedBeforeTheMigrationAreKeptWithTheirIndexes() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent(SQLiteStore.fileName)
        let old = [Self.record(1), Self.record(2), Self.record(3, user: nil)]
        do {
            // A database of the previous schema, with decisions in its `WITHOUT ROWID` table.
            let pool = try DatabasePool(path: path)
            try SQLiteStore.migrator.migrate(pool, upTo: "v7-retention")
            try await pool.write { db in
                #expect(try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'decisions'")?.contains("WITHOUT ROWID") == true)
                for record in old {
                    try db.execute(
                        sql: "INSERT INTO decisions (id, profile_key, user_id, anonymous_id, placement, created_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        arguments: [
                            record.id, record.profileKey, record.userId, record.anonymousId, record.placement, record.createdAt,
                            JSONWriter.string(record.body),
                        ])
                }
            }
            try pool.close()
        }
        let store = try SQLiteStore(directory: directory)
        try await store.pool.read { db in
            let table = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'decisions'") ?? ""
            #expect(!table.contains("WITHOUT ROWID"))
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'decisions' ORDER BY name")
            #expect(indexes == ["decisions_anonymous", "decisions_placement", "decisions_user", "sqlite_autoindex_decisions_1"])
            // The lookups use them.
            let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT body FROM decisions WHERE id = ?", arguments: [old[0].id])
            #expect(plan.map { $0["detail"] as String? ?? "" }.joined().contains("sqlite_autoindex_decisions_1"))
        }
        for record in old {
            let (kept, _) = try #require(try await store.decision(id: record.id))
            #expect(kept.id == record.id && kept.profileKey == record.profileKey && kept.placement == record.placement)
            #expect(kept.createdAt == record.createdAt && kept.userId == record.userId && kept.anonymousId == record.anonymousId)
            #expect(kept.body == record.body)
        }
        // A logged id is still logged once.
        try await store.appendDecisions([old[0]])
        #expect(try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM decisions") } == 3)
    }

    @Test func aLoggedResponseTakesNoPageOfItsOwn() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        func pages() async throws -> Int {
            try await store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        }
        let before = try await pages()
        try await store.appendDecisions((0..<300).map { Self.record($0, user: "u\($0)") })
        // About three 1.2 KB responses to a 4 KB page, plus the indexes: well under one page a decision
        // (the v4 table took an overflow page for each).
        let used = try await pages() - before
        #expect(used > 50 && used < 200, "\(used) pages for 300 decisions")
    }
}
