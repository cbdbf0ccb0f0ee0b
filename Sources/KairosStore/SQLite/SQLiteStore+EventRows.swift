import GRDB
import GRDBSQLite
import KairosCore

extension SQLiteStore {
    /// The statement that appends one event (a duplicate `message_id` inserts nothing).
    static let insertEventSQL = """
        INSERT INTO events (message_id, type, name, user_id, anonymous_id, previous_id, ts, received_at,
                            traits, consent, body)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(message_id) DO NOTHING
        """

    /// Appends `events` in the current transaction; returns each one's sequence number, `nil` for a
    /// duplicate. The values are bound to the statement's SQLite handle directly
    /// (``withStatementHandle(_:sql:_:)``).
    static func insertRows(_ events: [Event], _ db: Database) throws -> [Int64?] {
        try withStatementHandle(db, sql: insertEventSQL) { handle, connection in
            var sequence: [Int64?] = []
            sequence.reserveCapacity(events.count)
            for event in events {
                sqlite3_reset(handle)
                // Every parameter is bound on every row; a failed bind stops the insert (it would
                // otherwise keep the previous row's value).
                // (SQLITE_OK is 0: or-ing the results is non-zero when any bind failed.)
                let bound =
                    bind(event.messageId, 1, handle) | bind(event.type.rawValue, 2, handle) | bind(event.name, 3, handle)
                    | bind(event.userId, 4, handle) | bind(event.anonymousId, 5, handle) | bind(event.previousId, 6, handle)
                    | sqlite3_bind_int64(handle, 7, event.timestamp) | sqlite3_bind_int64(handle, 8, event.receivedAt)
                    | bind(event.traits.map { JSONWriter.string(.object($0)) }, 9, handle)
                    | bind(event.consent.map { JSONWriter.string(.object($0.mapValues { .bool($0) })) }, 10, handle)
                guard bound == SQLITE_OK else { throw error(sqlite3_errcode(connection), connection, sql: insertEventSQL) }
                let code = step(handle, text: event.body, at: 11)
                guard code == SQLITE_DONE else { throw error(code, connection, sql: insertEventSQL) }
                guard sqlite3_changes(connection) == 1 else {
                    sequence.append(nil)
                    continue
                }
                let seq = sqlite3_last_insert_rowid(connection)
                try insertOutcome(of: event, seq: seq, db)
                sequence.append(seq)
            }
            return sequence
        }
    }

    /// The columns ``storedEvent(_:)`` reads, in order.
    static let storedEventColumns = "seq, body, message_id, name, user_id, anonymous_id, ts, received_at"

    /// An event row as stored JSON (a segment record's, stored without a body, rebuilt from its columns).
    static func storedEvent(_ row: Row) -> StoredEvent {
        StoredEvent(seq: row[0], body: storedBody(text: row[1], messageId: row[2], name: row[3], userId: row[4], anonymousId: row[5], timestamp: row[6], receivedAt: row[7]))
    }

    /// A row's body as JSON.
    static func storedBody(
        text: String, messageId: String, name: String?, userId: String?, anonymousId: String?, timestamp: Millis, receivedAt: Millis
    ) -> JSONValue {
        if text.isEmpty, let record = Event.segmentRecordJSON(
            messageId: messageId, name: name, userId: userId, anonymousId: anonymousId, timestamp: timestamp, receivedAt: receivedAt)
        {
            return record
        }
        return (try? JSONParser.parse(text)) ?? .null
    }
}
