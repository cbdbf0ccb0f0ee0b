import GRDB
import KairosCore

extension SQLiteStore {
    static func registerDeliveryMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-delivery") { db in
            try db.execute(
                sql: """
                    CREATE TABLE waits (
                        id TEXT PRIMARY KEY,
                        trigger_id TEXT NOT NULL,
                        user_id TEXT,
                        anonymous_id TEXT,
                        cause_seq INTEGER NOT NULL,
                        due_at INTEGER NOT NULL,
                        state TEXT NOT NULL,
                        event TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX waits_due ON waits(state, due_at);
                    CREATE TABLE messages (
                        id TEXT PRIMARY KEY,
                        channel TEXT NOT NULL,
                        trigger_id TEXT NOT NULL,
                        user_id TEXT,
                        anonymous_id TEXT,
                        created_at INTEGER NOT NULL,
                        state TEXT NOT NULL,
                        attempts INTEGER NOT NULL,
                        next_attempt_at INTEGER NOT NULL,
                        last_error TEXT,
                        delivered_at INTEGER,
                        payload TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX messages_due ON messages(state, next_attempt_at);
                    CREATE INDEX messages_user ON messages(user_id, created_at);
                    CREATE INDEX messages_anonymous ON messages(anonymous_id, created_at);
                    """)
        }
    }

    public func insertWaits(_ waits: [PendingWait]) async throws {
        guard !waits.isEmpty else { return }
        try await pool.write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO waits (id, trigger_id, user_id, anonymous_id, cause_seq, due_at, state, event)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for wait in waits {
                try statement.execute(
                    arguments: [
                        wait.id, wait.trigger, wait.userId, wait.anonymousId, wait.causeSeq, wait.dueAt, wait.state.rawValue,
                        JSONWriter.string(wait.event),
                    ])
            }
        }
    }

    public func dueWaits(now: Millis, limit: Int) async throws -> [PendingWait] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM waits WHERE state = 'pending' AND due_at <= ? ORDER BY due_at LIMIT ?",
                arguments: [now, limit]
            ).map(Self.wait)
        }
    }

    public func nextWaitDue() async throws -> Millis? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT min(due_at) FROM waits WHERE state = 'pending'")
        }
    }

    public func resolveWait(id: String, state: PendingWait.State, message: Message?) async throws {
        try await pool.write { db in
            // Only a wait still pending is resolved: one erased meanwhile leaves no message behind.
            try db.execute(
                sql: "UPDATE waits SET state = ? WHERE id = ? AND state = 'pending'", arguments: [state.rawValue, id])
            if db.changesCount == 1, let message { try Self.insert(message, db) }
        }
    }

    public func insertMessages(_ messages: [Message]) async throws {
        guard !messages.isEmpty else { return }
        try await pool.write { db in
            for message in messages { try Self.insert(message, db) }
        }
    }

    public func dueMessages(now: Millis, limit: Int) async throws -> [Message] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM messages WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
                arguments: [now, limit]
            ).map(Self.message)
        }
    }

    public func nextMessageDue() async throws -> Millis? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT min(next_attempt_at) FROM messages WHERE state = 'pending'")
        }
    }

    public func updateMessage(_ message: Message) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE messages SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, delivered_at = ?
                    WHERE id = ?
                    """,
                arguments: [
                    message.state.rawValue, message.attempts, message.nextAttemptAt, message.lastError, message.deliveredAt,
                    message.id,
                ])
        }
    }

    public func messages(state: Message.State?, channel: String?, userId: String?, limit: Int) async throws -> [Message] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let state {
            conditions.append("state = ?")
            arguments.append(state.rawValue)
        }
        if let channel {
            conditions.append("channel = ?")
            arguments.append(channel)
        }
        if let userId {
            conditions.append("(user_id = ? OR anonymous_id = ?)")
            arguments += [userId, userId]
        }
        arguments.append(limit)
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM messages \(filter) ORDER BY created_at DESC, id LIMIT ?"
        let statementArguments = StatementArguments(arguments)
        return try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: statementArguments).map(Self.message)
        }
    }

    public func contactCount(userId: String?, anonymousId: String?, channel: String?, since: Millis) async throws -> Int {
        let person = userId != nil ? "user_id = ?" : "anonymous_id = ?"
        let sql = """
            SELECT count(*) FROM messages WHERE \(person) AND created_at >= ? AND state IN ('pending', 'delivered')
            \(channel != nil ? "AND channel = ?" : "")
            """
        var arguments: [(any DatabaseValueConvertible)?] = [userId ?? anonymousId, since]
        if let channel { arguments.append(channel) }
        let statementArguments = StatementArguments(arguments)
        return try await pool.read { db in try Int.fetchOne(db, sql: sql, arguments: statementArguments) ?? 0 }
    }

    public func events(of ids: PersonIds, afterSeq: Int64, limit: Int) async throws -> [StoredEvent] {
        let all = ids.userIds + ids.anonymousIds
        guard !all.isEmpty else { return [] }
        let (person, personArguments) = Self.personPredicate(ids)
        let sql = "SELECT \(Self.storedEventColumns) FROM events WHERE (\(person)) AND seq > ? ORDER BY seq LIMIT ?"
        var arguments = personArguments
        arguments += [afterSeq, limit]
        return try await pool.read { [arguments] db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.storedEvent)
        }
    }

    /// Removes a person's waits, messages and logged decisions (erasure).
    static func eraseDerived(_ ids: PersonIds, _ db: Database) throws {
        let all = ids.userIds + ids.anonymousIds
        let marks = Array(repeating: "?", count: all.count).joined(separator: ",")
        let arguments = StatementArguments(all + all)
        try db.execute(sql: "DELETE FROM waits WHERE user_id IN (\(marks)) OR anonymous_id IN (\(marks))", arguments: arguments)
        try db.execute(sql: "DELETE FROM messages WHERE user_id IN (\(marks)) OR anonymous_id IN (\(marks))", arguments: arguments)
        // Every logged decision carries the user or anonymous id it was made for, one of the
        // person's ids (a profile is only found through one). Each id column is indexed by its
        // id's bucket, so the buckets of the person's ids lead to them. `profile_key` has no index
        // and testing it too would scan the whole log.
        func buckets(_ ids: [String]) -> String { Set(ids.map(DecisionRecord.ownerBucket(of:))).sorted().map(String.init).joined(separator: ",") }
        let userMarks = Array(repeating: "?", count: ids.userIds.count).joined(separator: ",")
        let anonymousMarks = Array(repeating: "?", count: ids.anonymousIds.count).joined(separator: ",")
        try db.execute(
            sql: """
                DELETE FROM decisions
                WHERE (user_bucket IN (\(buckets(ids.userIds))) AND user_id IN (\(userMarks)))
                   OR (anonymous_bucket IN (\(buckets(ids.anonymousIds))) AND anonymous_id IN (\(anonymousMarks)))
                """,
            arguments: StatementArguments(ids.userIds + ids.anonymousIds))
    }

    static func insert(_ message: Message, _ db: Database) throws {
        // Prepared once per connection (inserted for every message of every trigger that fires).
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO messages (id, channel, trigger_id, user_id, anonymous_id, created_at, state, attempts,
                                                next_attempt_at, last_error, delivered_at, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                message.id, message.channel, message.trigger, message.userId, message.anonymousId, message.createdAt,
                message.state.rawValue, message.attempts, message.nextAttemptAt, message.lastError, message.deliveredAt,
                JSONWriter.string(message.payload),
            ])
    }

    static func wait(_ row: Row) -> PendingWait {
        let event: String = row["event"]
        return PendingWait(
            id: row["id"], trigger: row["trigger_id"], userId: row["user_id"], anonymousId: row["anonymous_id"],
            causeSeq: row["cause_seq"], dueAt: row["due_at"], state: PendingWait.State(rawValue: row["state"]) ?? .pending,
            event: (try? JSONParser.parse(event)) ?? .null)
    }

    static func message(_ row: Row) -> Message {
        let payload: String = row["payload"]
        return Message(
            id: row["id"], channel: row["channel"], trigger: row["trigger_id"], userId: row["user_id"],
            anonymousId: row["anonymous_id"], createdAt: row["created_at"],
            state: Message.State(rawValue: row["state"]) ?? .pending, attempts: row["attempts"],
            nextAttemptAt: row["next_attempt_at"], lastError: row["last_error"], deliveredAt: row["delivered_at"],
            payload: (try? JSONParser.parse(payload)) ?? .null)
    }
}
