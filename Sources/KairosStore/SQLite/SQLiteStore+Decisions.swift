import GRDB
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

    public func appendDecisions(_ decisions: [DecisionRecord]) async throws {
        guard !decisions.isEmpty else { return }
        try await pool.write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO decisions (id, profile_key, user_id, anonymous_id, placement, created_at, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            for decision in decisions {
                try statement.execute(arguments: [
                    decision.id, decision.profileKey, decision.userId, decision.anonymousId, decision.placement,
                    decision.createdAt,
                    decision.encodedBody.map { String(decoding: $0, as: UTF8.self) } ?? JSONWriter.string(decision.body),
                ])
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
