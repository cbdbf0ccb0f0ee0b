import GRDB
import KairosCore

extension SQLiteStore {
    static func registerRetentionMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7-retention") { db in
            // Finished messages are removed by age; the other retained tables already have an
            // index that leads there (decisions by their time-ordered ids, waits by state and due
            // time, offer touches by time).
            try db.execute(sql: "CREATE INDEX messages_time ON messages(created_at)")
        }
    }

    public func prune(_ kind: RetainedRecord, before cutoff: Millis, limit: Int) async throws -> Int {
        guard limit > 0 else { return 0 }
        return try await pool.write { db in
            switch kind {
            case .decisions:
                // Decision ids are UUIDv7 (time first), so every id made before `cutoff` sorts
                // before the smallest id of that millisecond: the primary key finds them.
                try db.execute(
                    sql: """
                        DELETE FROM decisions WHERE id IN (
                            SELECT id FROM decisions WHERE id < ? AND created_at < ? ORDER BY id LIMIT ?)
                        """, arguments: [DecisionId.lowerBound(at: cutoff), cutoff, limit])
                return db.changesCount
            case .outcomes:
                // Those of decisions made before `cutoff` that are no longer kept (or were never
                // logged), whenever they arrived.
                try db.execute(
                    sql: """
                        DELETE FROM outcomes WHERE seq IN (
                            SELECT seq FROM outcomes WHERE decision_id < ?
                            AND NOT EXISTS (SELECT 1 FROM decisions WHERE decisions.id = outcomes.decision_id) LIMIT ?)
                        """, arguments: [DecisionId.lowerBound(at: cutoff), limit])
                return db.changesCount
            case .messages:
                try db.execute(
                    sql: """
                        DELETE FROM messages WHERE id IN (
                            SELECT id FROM messages WHERE created_at < ? AND state != 'pending' LIMIT ?)
                        """, arguments: [cutoff, limit])
                return db.changesCount
            case .waits:
                try db.execute(
                    sql: """
                        DELETE FROM waits WHERE id IN (
                            SELECT id FROM waits WHERE state IN ('fired', 'cancelled') AND due_at < ? LIMIT ?)
                        """, arguments: [cutoff, limit])
                return db.changesCount
            case .offerTouches:
                try db.execute(
                    sql: "DELETE FROM offer_touches WHERE rowid IN (SELECT rowid FROM offer_touches WHERE time < ? LIMIT ?)",
                    arguments: [cutoff, limit])
                return db.changesCount
            }
        }
    }
}
