import GRDB
import GRDBSQLite
import KairosCore

/// Statements run through their SQLite handle, for the inserts of many rows a transaction (events,
/// decisions): GRDB builds an argument list for each row, which on a group of thousands costs as
/// much as the insert itself. This skips GRDB's per-statement bookkeeping (transaction observers,
/// which Kairos does not register, and its cancellation check).
extension SQLiteStore {
    /// Runs `body` with the handle of `sql`'s cached statement and the connection's; the statement
    /// is reset and its bindings cleared on every exit.
    static func withStatementHandle<Result>(
        _ db: Database, sql: String, _ body: (_ handle: OpaquePointer?, _ connection: OpaquePointer?) throws -> Result
    ) throws -> Result {
        let statement = try db.cachedStatement(sql: sql)
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        return try withExtendedLifetime(statement) { try body(handle, db.sqliteConnection) }
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

    /// Binds `text` (UTF-8 bytes) at `index` without a copy, as the array outlives the call, and
    /// runs the statement; returns SQLite's result code (a failed bind's, or the step's).
    static func step(_ handle: OpaquePointer?, text: [UInt8], at index: Int32) -> Int32 {
        text.withUnsafeBufferPointer { bytes in
            let bound =
                if let base = bytes.baseAddress {
                    sqlite3_bind_text(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
                } else {
                    sqlite3_bind_text(handle, index, "", 0, transient)
                }
            return bound == SQLITE_OK ? sqlite3_step(handle) : bound
        }
    }

    /// The error of a statement run through its handle, as GRDB would report it.
    static func error(_ code: Int32, _ connection: OpaquePointer?, sql: String) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
    }

    /// SQLite's "copy the value now" destructor.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
