import GRDB
import KairosCore

extension SQLiteStore {
    /// Outcomes: stored events that carry a `decisionId`, written in the same transaction as the
    /// event (an acknowledged outcome is never lost). They hold no personal ids; erasing a person
    /// erases their outcomes with their events.
    static func registerOutcomeMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5-outcomes") { db in
            try db.execute(
                sql: """
                    CREATE TABLE outcomes (
                        seq INTEGER PRIMARY KEY,
                        decision_id TEXT NOT NULL,
                        name TEXT,
                        items TEXT NOT NULL,
                        revenue REAL,
                        ts INTEGER NOT NULL
                    );
                    CREATE INDEX outcomes_decision ON outcomes(decision_id);
                    CREATE INDEX decisions_placement ON decisions(placement, created_at);
                    DROP INDEX decisions_time;
                    """)
        }
    }

    /// Records the outcome row of a just-stored event, if it carries a decision id.
    static func insertOutcome(of event: Event, seq: Int64, _ db: Database) throws {
        guard let decisionId = event.decisionId else { return }
        let items = InteractionMapping.itemIds(in: event.json).map { JSONValue.string($0) }
        try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO outcomes (seq, decision_id, name, items, revenue, ts) VALUES (?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [
            seq, decisionId, event.name ?? event.type.rawValue, JSONWriter.string(.array(items)),
            DecisionOutcome.revenue(in: event.json), event.timestamp,
        ])
    }

    static func eraseOutcomes(_ predicate: String, _ arguments: StatementArguments, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM outcomes WHERE seq IN (SELECT seq FROM events WHERE \(predicate))", arguments: arguments)
    }

    public func decision(id: String) async throws -> (DecisionRecord, [DecisionOutcome])? {
        try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT id, profile_key, user_id, anonymous_id, placement, created_at, body FROM decisions WHERE id = ?",
                    arguments: [id])
            else { return nil }
            let body: String = row[6]
            let record = DecisionRecord(
                id: row[0], profileKey: row[1], userId: row[2], anonymousId: row[3], placement: row[4], createdAt: row[5],
                body: (try? JSONParser.parse(body)) ?? .null)
            let outcomes = try Row.fetchAll(
                db, sql: "SELECT decision_id, name, items, revenue, ts FROM outcomes WHERE decision_id = ? ORDER BY seq",
                arguments: [id]
            ).map(Self.outcome)
            return (record, outcomes)
        }
    }

    public func outcomeSummary(placement: String, from: Millis, to: Millis) async throws -> OutcomeSummary {
        try await pool.read { db in
            var summary = OutcomeSummary()
            summary.decisions = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM decisions WHERE placement = ? AND created_at >= ? AND created_at < ?",
                arguments: [placement, from, to]) ?? 0
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT o.decision_id, o.name, o.items, o.revenue, o.ts, d.created_at, d.body
                    FROM decisions d JOIN outcomes o ON o.decision_id = d.id
                    WHERE d.placement = ? AND d.created_at >= ? AND d.created_at < ?
                    ORDER BY d.id, o.seq
                    """, arguments: [placement, from, to])
            // Rows come decision by decision: one parsed response at a time.
            var current: (id: String, body: JSONValue)?
            while let row = try rows.next() {
                let id: String = row[0]
                if current?.id != id {
                    let text: String = row[6]
                    current = (id, (try? JSONParser.parse(text)) ?? .null)
                }
                summary.outcomes.append((Self.outcome(row), decidedAt: row[5], decision: current!.body))
            }
            return summary
        }
    }

    static func outcome(_ row: Row) -> DecisionOutcome {
        let items: String = row[2]
        let ids = (try? JSONParser.parse(items))?.arrayValue?.compactMap(\.stringValue) ?? []
        return DecisionOutcome(decisionId: row[0], name: row[1], items: ids, revenue: row[3], time: row[4])
    }
}
