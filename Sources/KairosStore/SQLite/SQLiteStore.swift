import Foundation
import GRDB
import KairosCore

/// The embedded store: one SQLite database in WAL mode, `synchronous = FULL` (a commit is on disk
/// before it returns) and `secure_delete = ON` (erased rows are overwritten, not just unlinked).
public final class SQLiteStore: DataStore {
    /// The database file's name inside the data directory.
    public static let fileName = "kairos.sqlite"

    let pool: DatabasePool
    /// Path of the database file.
    public let path: String

    /// Opens (creating and migrating if needed) the database in `directory`.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent(Self.fileName)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.maximumReaderCount = 4
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: "PRAGMA cache_size = -32768")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE events (
                        seq INTEGER PRIMARY KEY,
                        message_id TEXT NOT NULL UNIQUE,
                        type TEXT NOT NULL,
                        name TEXT,
                        user_id TEXT,
                        anonymous_id TEXT,
                        previous_id TEXT,
                        ts INTEGER NOT NULL,
                        received_at INTEGER NOT NULL,
                        traits TEXT,
                        consent TEXT,
                        body TEXT NOT NULL
                    );
                    CREATE INDEX events_user ON events(user_id) WHERE user_id IS NOT NULL;
                    CREATE INDEX events_anonymous ON events(anonymous_id) WHERE anonymous_id IS NOT NULL;
                    CREATE INDEX events_previous ON events(previous_id) WHERE previous_id IS NOT NULL;
                    CREATE TABLE items (
                        id TEXT PRIMARY KEY,
                        body TEXT NOT NULL,
                        updated_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE metadata (
                        key TEXT PRIMARY KEY,
                        value TEXT NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2-definitions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE definitions (
                        kind TEXT NOT NULL,
                        id TEXT NOT NULL,
                        body TEXT NOT NULL,
                        updated_at INTEGER NOT NULL,
                        PRIMARY KEY (kind, id)
                    ) WITHOUT ROWID;
                    """)
        }
        registerDeliveryMigration(&migrator)
        registerDecisionMigration(&migrator)
        registerOutcomeMigration(&migrator)
        registerOfferMigration(&migrator)
        registerRetentionMigration(&migrator)
        registerDecisionRowsMigration(&migrator)
        registerDecisionOwnerMigration(&migrator)
        return migrator
    }

    // MARK: - Events

    public func append(_ events: [Event]) async throws -> [Int64?] {
        try await pool.write { db in try Self.insertRows(events, db) }
    }

    public func beginAppend(_ events: [Event]) -> PendingWrite<[Int64?]> {
        let pending = PendingWrite<[Int64?]>()
        pool.asyncWrite({ db in try Self.insertRows(events, db) }, completion: { _, result in pending.complete(result) })
        return pending
    }

    public func replay(
        upTo: Int64?, withBodies: Bool, bodiesFor names: Set<String>, _ body: @escaping @Sendable (Event) -> Void
    ) async throws -> Int {
        let anyBodies = withBodies || !names.isEmpty
        return try await pool.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT seq, message_id, type, name, user_id, anonymous_id, previous_id, ts, received_at, traits, consent
                    \(anyBodies ? ", body" : "") FROM events WHERE seq <= ? ORDER BY seq
                    """, arguments: [upTo ?? Int64.max])
            var count = 0
            while let row = try rows.next() {
                let type = EventType(rawValue: row[2]) ?? .track
                var traits: [String: JSONValue]?
                if let text: String = row[9] { traits = (try? JSONParser.parse(text))?.objectValue }
                var consent: [String: Bool]?
                if let text: String = row[10] {
                    consent = (try? JSONParser.parse(text))?.objectValue?.compactMapValues(\.boolValue)
                }
                var event = Event(
                    seq: row[0], messageId: row[1], type: type, name: row[3], userId: row[4], anonymousId: row[5],
                    previousId: row[6], timestamp: row[7], receivedAt: row[8], traits: traits, consent: consent)
                if withBodies || (event.name.map(names.contains) ?? false), let text: String = row[11] {
                    event.json = Self.storedBody(
                        text: text, messageId: event.messageId, name: event.name, userId: event.userId,
                        anonymousId: event.anonymousId, timestamp: event.timestamp, receivedAt: event.receivedAt)
                }
                body(event)
                count += 1
            }
            return count
        }
    }

    public func events(of ids: PersonIds, beforeSeq: Int64?, limit: Int) async throws -> [StoredEvent] {
        let all = ids.userIds + ids.anonymousIds
        guard !all.isEmpty else { return [] }
        let (person, personArguments) = Self.personPredicate(ids)
        let sql = "SELECT \(Self.storedEventColumns) FROM events WHERE (\(person)) AND seq < ? ORDER BY seq DESC LIMIT ?"
        var arguments = personArguments
        arguments += [beforeSeq ?? Int64.max, limit]
        return try await pool.read { [arguments] db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.storedEvent)
        }
    }

    public func erase(_ ids: PersonIds) async throws -> Int {
        let all = ids.userIds + ids.anonymousIds
        guard !all.isEmpty else { return 0 }
        let (person, arguments) = Self.personPredicate(ids)
        let sql = "DELETE FROM events WHERE \(person)"
        let deleted = try await pool.write { db in
            try Self.eraseOutcomes(person, arguments, db)
            try db.execute(sql: sql, arguments: arguments)
            let count = db.changesCount
            try Self.eraseDerived(ids, db)
            try Self.eraseTouches(ids, db)
            return count
        }
        // Copy the zeroed pages into the main file and truncate the WAL, so the old
        // frames holding the person's events are gone from disk too.
        // If the checkpoint cannot run now (a long read), the next one removes the old pages;
        // the deletion itself is committed either way.
        try? await pool.barrierWriteWithoutTransaction { db in
            _ = try db.checkpoint(.truncate)
        }
        return deleted
    }

    /// Rows of one person: theirs by userId, anonymous rows (no userId) by anonymousId, and alias
    /// rows naming one of their ids. An anonymous id another known customer also used (a shared
    /// device) does not pull in that customer's rows.
    static func personPredicate(_ ids: PersonIds) -> (String, StatementArguments) {
        func marks(_ count: Int) -> String { count == 0 ? "NULL" : Array(repeating: "?", count: count).joined(separator: ",") }
        let all = ids.userIds + ids.anonymousIds
        let sql = """
            user_id IN (\(marks(ids.userIds.count))) OR (user_id IS NULL AND anonymous_id IN (\(marks(ids.anonymousIds.count)))) \
            OR previous_id IN (\(marks(all.count)))
            """
        return (sql, StatementArguments(ids.userIds + ids.anonymousIds + all))
    }

    /// Number of stored events.
    public func eventCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 }
    }

    // MARK: - Items

    public func putItems(_ items: [Item]) async throws {
        try await pool.write { db in
            let statement = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO items (id, body, updated_at) VALUES (?, ?, ?)")
            for item in items {
                try statement.execute(arguments: [item.id, JSONWriter.string(item.json), item.updatedAt])
            }
        }
    }

    public func item(id: String) async throws -> Item? {
        let stored = try await pool.read { db -> (String, Int64)? in
            guard let row = try Row.fetchOne(db, sql: "SELECT body, updated_at FROM items WHERE id = ?", arguments: [id])
            else { return nil }
            return (row[0], row[1])
        }
        guard let (text, updatedAt) = stored else { return nil }
        return try Item.parse(try JSONParser.parse(text), id: id, now: updatedAt)
    }

    public func deleteItem(id: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM items WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func itemCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM items") ?? 0 }
    }

    // MARK: - Definitions

    public func definitions(kind: String) async throws -> [JSONValue] {
        let texts = try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT body FROM definitions WHERE kind = ? ORDER BY id", arguments: [kind])
        }
        return try texts.map { try JSONParser.parse($0) }
    }

    public func putDefinition(kind: String, id: String, _ body: JSONValue) async throws {
        let text = JSONWriter.string(body)
        try await pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO definitions (kind, id, body, updated_at) VALUES (?, ?, ?, ?)",
                arguments: [kind, id, text, Timestamp.now()])
        }
    }

    public func deleteDefinition(kind: String, id: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM definitions WHERE kind = ? AND id = ?", arguments: [kind, id])
            return db.changesCount > 0
        }
    }

    // MARK: - Metadata

    public func metadata(_ key: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM metadata WHERE key = ?", arguments: [key])
        }
    }

    public func setMetadata(_ key: String, _ value: String?) async throws {
        try await pool.write { db in
            if let value {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO metadata (key, value) VALUES (?, ?)", arguments: [key, value])
            } else {
                try db.execute(sql: "DELETE FROM metadata WHERE key = ?", arguments: [key])
            }
        }
    }
}
