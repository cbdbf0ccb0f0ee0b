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
    /// duplicate. The values are bound to the statement's SQLite handle directly: on a group of
    /// thousands of events, building GRDB's argument list for each row costs as much as the insert.
    /// This skips GRDB's per-statement bookkeeping (transaction observers, which Kairos does not
    /// register, and its cancellation check); the statement is reset and cleared on every exit.
    static func insertRows(_ events: [Event], _ db: Database) throws -> [Int64?] {
        let statement = try db.cachedStatement(sql: insertEventSQL)
        let handle = statement.sqliteStatement
        let connection = db.sqliteConnection
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
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
            if bound != SQLITE_OK {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: sqlite3_errcode(connection)), message: String(cString: sqlite3_errmsg(connection)),
                    sql: insertEventSQL)
            }
            let code = event.body.withUnsafeBufferPointer { body in
                // Bound without a copy: the buffer outlives the step.
                let bound =
                    if let base = body.baseAddress {
                        sqlite3_bind_text(handle, 11, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(body.count), nil)
                    } else {
                        sqlite3_bind_text(handle, 11, "", 0, transient)
                    }
                return bound == SQLITE_OK ? sqlite3_step(handle) : bound
            }
            guard code == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: insertEventSQL)
            }
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

    /// Binds text (a copy SQLite owns), or NULL; returns SQLite's result code. GRDB's
    /// `StatementBinding` does the same through an argument list built per row, which cost as much
    /// as the insert itself on a group of thousands (see `docs/benchmarks.md`, "Writer pass").
    /// Ids cannot hold NUL (`EventParser.id`), so the exact length bound here and the C string
    /// GRDB binds in lookups are the same text.
    @inline(__always)
    static func bind(_ text: String?, _ index: Int32, _ handle: OpaquePointer?) -> Int32 {
        guard var text else { return sqlite3_bind_null(handle, index) }
        return text.withUTF8 { bytes in
            if let base = bytes.baseAddress {
                sqlite3_bind_text(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), transient)
            } else {
                sqlite3_bind_text(handle, index, "", 0, transient)
            }
        }
    }

    /// SQLite's "copy the value now" destructor.
    static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

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
