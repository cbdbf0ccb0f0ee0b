import Foundation
import GRDB
import KairosCore
@testable import KairosStore
import Testing

/// The decision log finds a person's decisions for erasure through the bucket of their id, in an
/// index that grows at the ends of 16 runs, instead of one index per id column that took a random
/// page for every decision; what was logged before is filed under its bucket by the migration.
@Suite struct DecisionOwnersMigrationTests {
    static let now: Millis = 1_800_000_000_000

    static func record(_ number: Int, user: String?, anonymous: String? = nil, body: JSONValue = .object([:])) -> DecisionRecord {
        DecisionRecord(
            id: DecisionId.make(at: now + Millis(number)), profileKey: user.map { "u:\($0)" } ?? anonymous.map { "a:\($0)" },
            userId: user, anonymousId: anonymous, placement: "home", createdAt: now + Millis(number), body: body)
    }

    /// Inserts as the log did before `v9-decision-owners` (no bucket column).
    static func insertWithoutBucket(_ records: [DecisionRecord], _ db: Database) throws {
        let statement = try db.makeStatement(
            sql: "INSERT INTO decisions (id, profile_key, user_id, anonymous_id, placement, created_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)")
        for record in records {
            try statement.execute(arguments: [
                record.id, record.profileKey, record.userId, record.anonymousId, record.placement, record.createdAt,
                JSONWriter.string(record.body),
            ])
        }
    }

    static func openAtV8(_ directory: String) throws -> DatabasePool {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pool = try DatabasePool(path: (directory as NSString).appendingPathComponent(SQLiteStore.fileName))
        try SQLiteStore.migrator.migrate(pool, upTo: "v8-decision-rows")
        return pool
    }

    @Test func theBucketIsStableAndSpread() {
        // Stored with every decision: these values must never change.
        // Pinned (as computed when the column was introduced), so that a change of the hash fails here
        // instead of leaving logged decisions where erasure no longer looks.
        let pinned = ["u-1": 15, "u-2": 1, "a-7": 9, "": 6, "4f1c2b6e-0d1a-4c1e-9a55-7b2e3d4c5f60": 9, "ü": 1]
        for (id, bucket) in pinned { #expect(DecisionRecord.ownerBucket(of: id) == bucket, "\(id)") }
        let buckets = (0..<1_600).map { DecisionRecord.ownerBucket(of: "u-\($0)") }
        #expect(buckets.allSatisfy { (0..<DecisionRecord.ownerBuckets).contains($0) })
        let counts = Dictionary(grouping: buckets, by: { $0 }).mapValues(\.count)
        #expect(counts.count == DecisionRecord.ownerBuckets)
        #expect(counts.values.allSatisfy { (60...140).contains($0) }, "\(counts)")
    }

    @Test func decisionsLoggedBeforeAreFiledAndErasedWithTheirPerson() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let old = (0..<40).map { number in
            Self.record(number, user: number % 3 == 0 ? nil : "u-\(number % 8)", anonymous: number % 2 == 0 ? "a-\(number % 5)" : nil)
        }
        do {
            let pool = try Self.openAtV8(directory)
            try await pool.write { db in try Self.insertWithoutBucket(old, db) }
            try pool.close()
        }
        let store = try SQLiteStore(directory: directory)
        try await store.pool.read { db in
            let indexes = try String.fetchAll(
                db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'decisions' AND sql IS NOT NULL ORDER BY name")
            #expect(indexes.count == 3)
            #expect(indexes[0].contains("(anonymous_bucket, created_at, anonymous_id)"))
            #expect(indexes[2].contains("(user_bucket, created_at, user_id)"))
            for row in try Row.fetchAll(db, sql: "SELECT user_id, anonymous_id, user_bucket, anonymous_bucket FROM decisions") {
                #expect(row["user_bucket"] as Int? == (row["user_id"] as String?).map(DecisionRecord.ownerBucket(of:)))
                #expect(row["anonymous_bucket"] as Int? == (row["anonymous_id"] as String?).map(DecisionRecord.ownerBucket(of:)))
            }
        }
        // New decisions are filed as the old ones were.
        let fresh = [Self.record(100, user: "u-1"), Self.record(101, user: nil, anonymous: "a-2"), Self.record(102, user: "u-5")]
        try await store.appendDecisions(fresh)
        let all = old + fresh
        // A person with a user id and two anonymous ids: every decision made for any of them goes,
        // and nothing else.
        let person = PersonIds(userIds: ["u-1"], anonymousIds: ["a-2", "a-4"])
        let theirs = all.filter { ($0.userId.map(person.userIds.contains) ?? false) || ($0.anonymousId.map(person.anonymousIds.contains) ?? false) }
        #expect(theirs.count >= 8)
        try await store.pool.write { db in
            let plan = try Row.fetchAll(
                db,
                sql: """
                    EXPLAIN QUERY PLAN SELECT rowid FROM decisions
                    WHERE (user_bucket IN (1) AND user_id IN ('u-1')) OR (anonymous_bucket IN (2, 3) AND anonymous_id IN ('a-2', 'a-4'))
                    """)
            let details = plan.map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
            #expect(
                details.contains("INDEX decisions_user (user_bucket=?)") && details.contains("INDEX decisions_anonymous (anonymous_bucket=?)"),
                "\(details)")
            try SQLiteStore.eraseDerived(person, db)
        }
        let left = try await store.pool.read { db in try String.fetchSet(db, sql: "SELECT id FROM decisions") }
        #expect(left == Set(all.map(\.id)).subtracting(theirs.map(\.id)))
        // A person known by one kind of id only: the other kind's list is empty.
        for person in [PersonIds(userIds: [], anonymousIds: ["a-3"]), PersonIds(userIds: ["u-5"], anonymousIds: [])] {
            let before = try await store.pool.read { db in try String.fetchSet(db, sql: "SELECT id FROM decisions") }
            let theirs = all.filter {
                before.contains($0.id)
                    && (($0.userId.map(person.userIds.contains) ?? false) || ($0.anonymousId.map(person.anonymousIds.contains) ?? false))
            }
            #expect(!theirs.isEmpty)
            try await store.pool.write { db in try SQLiteStore.eraseDerived(person, db) }
            let remaining = try await store.pool.read { db in try String.fetchSet(db, sql: "SELECT id FROM decisions") }
            #expect(remaining == before.subtracting(theirs.map(\.id)))
        }
    }

    /// A batch of decisions for as many different people writes about half the pages that the
    /// per-id indexes of the previous schema did (they took one random page each).
    @Test func aBatchOfManyPeopleWritesFewIndexPages() async throws {
        func walFrames(migratedToLatest: Bool) async throws -> Int {
            let directory = temporaryDataDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let people = (0..<1_000).map { _ in UUID().uuidString.lowercased() }
            let earlier = (0..<20_000).map { Self.record($0, user: nil, anonymous: people[$0 % people.count]) }
            let batch = (0..<1_000).map { Self.record(30_000 + $0, user: nil, anonymous: people[($0 * 7) % people.count]) }
            let store = migratedToLatest ? try SQLiteStore(directory: directory) : nil
            let pool = try store?.pool ?? Self.openAtV8(directory)
            func append(_ records: [DecisionRecord]) async throws {
                if let store {
                    try await store.appendDecisions(records)
                } else {
                    try await pool.write { db in try Self.insertWithoutBucket(records, db) }
                }
            }
            try await append(earlier)
            _ = try await pool.writeWithoutTransaction { db in try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            try await append(batch)
            let frames = try await pool.writeWithoutTransaction { db in
                try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")?[1] as Int? ?? 0
            }
            try pool.close()
            return frames
        }
        let before = try await walFrames(migratedToLatest: false)
        let after = try await walFrames(migratedToLatest: true)
        #expect(after * 2 < before, "\(after) pages written by the batch, \(before) with the per-id indexes")
    }
}
