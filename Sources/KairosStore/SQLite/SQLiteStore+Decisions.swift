import GRDB
import GRDBSQLite
import KairosCore

extension SQLiteStore {
    static func registerDecisionMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4-decisions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE decisions (
                        id TEXT PRIMARY KEY,
                        profile_key TEXT,
                        user_id TEXT,
                        anonymous_id TEXT,
                        placement TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        body TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX decisions_user ON decisions(user_id) WHERE user_id IS NOT NULL;
                    CREATE INDEX decisions_anonymous ON decisions(anonymous_id) WHERE anonymous_id IS NOT NULL;
                    CREATE INDEX decisions_time ON decisions(created_at);
                    """)
        }
    }

    /// Decisions move to a table with row ids. In the `WITHOUT ROWID` table of v4 a row is kept
    /// in its primary key's b-tree, where a row over about 1,000 bytes (every logged response,
    /// about 1.2 KB) spills the rest onto an overflow page of its own: 4 KB written and stored for
    /// every decision, instead of sharing leaf pages. The ids stay unique through their index,
    /// which grows at its end (they are time-ordered).
    static func registerDecisionRowsMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v8-decision-rows") { db in
            try db.execute(
                sql: """
                    CREATE TABLE decisions_rows (
                        id TEXT NOT NULL PRIMARY KEY,
                        profile_key TEXT,
                        user_id TEXT,
                        anonymous_id TEXT,
                        placement TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        body TEXT NOT NULL
                    );
                    INSERT INTO decisions_rows (id, profile_key, user_id, anonymous_id, placement, created_at, body)
                        SELECT id, profile_key, user_id, anonymous_id, placement, created_at, body FROM decisions ORDER BY id;
                    DROP TABLE decisions;
                    ALTER TABLE decisions_rows RENAME TO decisions;
                    CREATE INDEX decisions_user ON decisions(user_id) WHERE user_id IS NOT NULL;
                    CREATE INDEX decisions_anonymous ON decisions(anonymous_id) WHERE anonymous_id IS NOT NULL;
                    CREATE INDEX decisions_placement ON decisions(placement, created_at);
                    """)
        }
    }

    /// Decisions are found for erasure through the bucket of each id column (`user_bucket`,
    /// `anonymous_bucket`, see ``DecisionRecord/ownerBucket(of:)``) instead of an index on each id:
    /// those took a random page for every decision (about 8 KB written a decision with the
    /// checkpoint, against 1.3 KB of response); these add at the ends of 16 runs each. They hold
    /// the ids, so an erasure reads a sixteenth of them and none of the table.
    static func registerDecisionOwnerMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v9-decision-owners") { db in
            let bucket = DatabaseFunction("kairos_owner_bucket", argumentCount: 1, pure: true) { values in
                String.fromDatabaseValue(values[0]).map(DecisionRecord.ownerBucket(of:))
            }
            db.add(function: bucket)
            defer { db.remove(function: bucket) }
            try db.execute(
                sql: """
                    ALTER TABLE decisions ADD COLUMN user_bucket INTEGER;
                    ALTER TABLE decisions ADD COLUMN anonymous_bucket INTEGER;
                    UPDATE decisions SET user_bucket = kairos_owner_bucket(user_id), anonymous_bucket = kairos_owner_bucket(anonymous_id);
                    DROP INDEX decisions_user;
                    DROP INDEX decisions_anonymous;
                    CREATE INDEX decisions_user ON decisions(user_bucket, created_at, user_id) WHERE user_id IS NOT NULL;
                    CREATE INDEX decisions_anonymous ON decisions(anonymous_bucket, created_at, anonymous_id)
                        WHERE anonymous_id IS NOT NULL;
                    """)
        }
    }

    /// The statement that logs one decision (an id logged before inserts nothing).
    static let insertDecisionSQL = """
        INSERT OR IGNORE INTO decisions (id, profile_key, user_id, anonymous_id, placement, created_at, user_bucket,
                                        anonymous_bucket, body)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Logs `decisions` in one transaction. As with events (``insertRows(_:_:)``), the values are
    /// bound to the statement's handle directly, and the body's bytes without a copy: an action
    /// decision's record is about 7 KB, which a `String` would copy and check once more.
    public func appendDecisions(_ decisions: [DecisionRecord]) async throws {
        guard !decisions.isEmpty else { return }
        try await pool.write { db in
            try Self.withStatementHandle(db, sql: Self.insertDecisionSQL) { handle, connection in
                func bucket(_ id: String?, _ index: Int32) -> Int32 {
                    guard let id else { return sqlite3_bind_null(handle, index) }
                    return sqlite3_bind_int64(handle, index, Int64(DecisionRecord.ownerBucket(of: id)))
                }
                for decision in decisions {
                    sqlite3_reset(handle)
                    // SQLITE_OK is 0: or-ing the results is non-zero when any bind failed.
                    let bound =
                        Self.bind(decision.id, 1, handle) | Self.bind(decision.profileKey, 2, handle)
                        | Self.bind(decision.userId, 3, handle) | Self.bind(decision.anonymousId, 4, handle)
                        | Self.bind(decision.placement, 5, handle) | sqlite3_bind_int64(handle, 6, decision.createdAt)
                        | bucket(decision.userId, 7) | bucket(decision.anonymousId, 8)
                    guard bound == SQLITE_OK else { throw Self.error(sqlite3_errcode(connection), connection, sql: Self.insertDecisionSQL) }
                    let code = Self.step(handle, text: decision.encodedBody ?? JSONWriter.bytes(decision.body), at: 9)
                    guard code == SQLITE_DONE else { throw Self.error(code, connection, sql: Self.insertDecisionSQL) }
                }
            }
        }
    }

    public func allItems() async throws -> [Item] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, body, updated_at FROM items").compactMap { row in
                let text: String = row[1]
                return try? Item.parse(try JSONParser.parse(text), id: row[0], now: row[2])
            }
        }
    }
}
