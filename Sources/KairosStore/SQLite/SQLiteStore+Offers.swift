import Foundation
import GRDB
import KairosCore

extension SQLiteStore {
    static func registerOfferMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6-offers") { db in
            try db.execute(
                sql: """
                    CREATE TABLE budget_use (
                        key TEXT NOT NULL,
                        day INTEGER NOT NULL,
                        count INTEGER NOT NULL,
                        PRIMARY KEY (key, day)
                    ) WITHOUT ROWID;
                    CREATE TABLE offer_touches (
                        person TEXT NOT NULL,
                        offer TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        time INTEGER NOT NULL
                    );
                    CREATE INDEX offer_touches_person ON offer_touches(person);
                    CREATE INDEX offer_touches_time ON offer_touches(time);
                    CREATE TABLE models (
                        id TEXT PRIMARY KEY,
                        body BLOB NOT NULL,
                        updated_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
    }

    public func recordOfferActivity(usage: [BudgetUse], touches: [PersonTouch]) async throws {
        guard !usage.isEmpty || !touches.isEmpty else { return }
        try await pool.write { db in
            let use = try db.cachedStatement(
                sql: """
                    INSERT INTO budget_use (key, day, count) VALUES (?, ?, ?)
                    ON CONFLICT (key, day) DO UPDATE SET count = count + excluded.count
                    """)
            for entry in usage { try use.execute(arguments: [entry.key, entry.day, entry.count]) }
            let touch = try db.cachedStatement(sql: "INSERT INTO offer_touches (person, offer, kind, time) VALUES (?, ?, ?, ?)")
            for entry in touches {
                try touch.execute(arguments: [entry.person, entry.touch.offer, entry.touch.kind.rawValue, entry.touch.time])
            }
        }
    }

    public func budgetUse(day: Int64) async throws -> [String: (day: Int, total: Int)] {
        try await pool.read { db in
            var result: [String: (day: Int, total: Int)] = [:]
            let rows = try Row.fetchAll(
                db, sql: "SELECT key, sum(count), sum(CASE WHEN day = ? THEN count ELSE 0 END) FROM budget_use GROUP BY key",
                arguments: [day])
            for row in rows { result[row[0]] = (day: row[2], total: row[1]) }
            return result
        }
    }

    public func personTouches(since: Millis) async throws -> [PersonTouch] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT person, offer, kind, time FROM offer_touches WHERE time >= ? ORDER BY time", arguments: [since]
            ).compactMap { row in
                guard let kind = ActionTouch.Kind(rawValue: row[2]) else { return nil }
                return PersonTouch(person: row[0], touch: ActionTouch(offer: row[1], kind: kind, time: row[3]))
            }
        }
    }

    public func saveModels(_ models: [(id: String, body: [UInt8])], at time: Millis) async throws {
        guard !models.isEmpty else { return }
        try await pool.write { db in
            for model in models {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO models (id, body, updated_at) VALUES (?, ?, ?)",
                    arguments: [model.id, Data(model.body), time])
            }
        }
    }

    public func models() async throws -> [(id: String, body: [UInt8])] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, body FROM models ORDER BY id").map { row in
                let body: Data = row[1]
                return (id: row[0], body: [UInt8](body))
            }
        }
    }

    /// Removes a person's offer touches (erasure), under their profile keys.
    static func eraseTouches(_ ids: PersonIds, _ db: Database) throws {
        let keys = ids.userIds.map(ProfileKey.user) + ids.anonymousIds.map(ProfileKey.anonymous)
        guard !keys.isEmpty else { return }
        let marks = Array(repeating: "?", count: keys.count).joined(separator: ",")
        try db.execute(sql: "DELETE FROM offer_touches WHERE person IN (\(marks))", arguments: StatementArguments(keys))
    }
}

extension SQLiteStore {
    public func decisionsWithOutcomes(placement: String) async throws -> [(body: JSONValue, outcomes: [String])] {
        try await pool.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT d.body, (SELECT json_group_array(o.name) FROM outcomes o WHERE o.decision_id = d.id)
                    FROM decisions d WHERE d.placement = ? ORDER BY d.created_at, d.id
                    """, arguments: [placement])
            var result: [(body: JSONValue, outcomes: [String])] = []
            while let row = try rows.next() {
                let body: String = row[0]
                let names: String? = row[1]
                let outcomes = names.flatMap { try? JSONParser.parse($0) }?.arrayValue?.compactMap(\.stringValue) ?? []
                result.append(((try? JSONParser.parse(body)) ?? .null, outcomes))
            }
            return result
        }
    }
}
