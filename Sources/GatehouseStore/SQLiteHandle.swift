import CSQLite
import Logging
import NIOCore
import SQLKit
import SQLiteKit
import Synchronization

/// One connection to an SQLite file, called directly on the thread that asks, one caller at a
/// time, with every statement prepared once and kept.
///
/// SQLiteNIO runs each statement on a thread pool and resumes the caller on an event loop: three
/// thread wake-ups per statement, which cost more than the statements of a token request
/// together. Here a statement is a function call; ``SQLiteEngine`` decides which thread calls.
final class SQLiteHandle: @unchecked Sendable {
    /// Touched only under `lock`: that is what makes the handle safe to share.
    private let connection: Connection
    private let lock = Mutex(())

    private init(_ connection: Connection) {
        self.connection = connection
    }

    /// Opens (creating if needed) the file at `path`; `file:` names are SQLite URIs.
    static func open(path: String) throws -> SQLiteHandle {
        var pointer: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let code = sqlite3_open_v2(path, &pointer, flags, nil)
        guard code == SQLITE_OK, let pointer else {
            let message = pointer.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
            sqlite3_close_v2(pointer)
            throw SQLiteFailure(code: code, message: message)
        }
        return SQLiteHandle(Connection(pointer))
    }

    /// Runs one statement with `binds` for its `?NNN` placeholders, handing each row to `onRow`.
    func execute(_ sql: String, _ binds: [SQLiteData], onRow: (SQLiteResultRow) -> Void) throws {
        try lock.withLock { _ in try connection.execute(sql, binds, onRow: onRow) }
    }

    /// How long a statement waits for another connection's lock before it fails as busy.
    func setBusyTimeout(milliseconds: Int) {
        lock.withLock { _ in _ = sqlite3_busy_timeout(connection.pointer, Int32(clamping: milliseconds)) }
    }

    func close() {
        lock.withLock { _ in connection.close() }
    }

    /// Replaces SQLite's automatic checkpoint with `hook`, called after each commit with the
    /// number of pages in the write-ahead log (`sqlite3_wal_hook`).
    func setWALHook(
        context: UnsafeMutableRawPointer,
        _ hook: @escaping @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32
    ) {
        lock.withLock { _ in _ = sqlite3_wal_hook(connection.pointer, hook, context) }
    }

    /// Copies what it can of the write-ahead log into the database file without waiting for, or
    /// holding up, any other connection (`SQLITE_CHECKPOINT_PASSIVE`).
    func checkpoint() {
        lock.withLock { _ in _ = sqlite3_wal_checkpoint_v2(connection.pointer, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil) }
    }

    /// The connection's state; only ever touched under the handle's lock.
    private final class Connection {
        private(set) var pointer: OpaquePointer?
        private var statements: [String: PreparedStatement] = [:]
        /// Statements kept per connection; past it, the cache starts again (only bulk statements
        /// with varying row counts come near it).
        private static let statementLimit = 200

        init(_ pointer: OpaquePointer) {
            self.pointer = pointer
        }

        func execute(_ sql: String, _ binds: [SQLiteData], onRow: (SQLiteResultRow) -> Void) throws {
            guard let pointer else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the connection is closed") }
            let statement = try prepared(sql, on: pointer)
            defer {
                sqlite3_reset(statement.pointer)
                sqlite3_clear_bindings(statement.pointer)
            }
            for (offset, value) in binds.enumerated() {
                let code = bind(value, at: Int32(offset + 1), to: statement.pointer)
                guard code == SQLITE_OK else { throw SQLiteFailure(code: code, connection: pointer) }
            }
            var columns: [String]?
            while true {
                let code = sqlite3_step(statement.pointer)
                if code == SQLITE_DONE { return }
                guard code == SQLITE_ROW else { throw SQLiteFailure(code: code, connection: pointer) }
                let names = columns ?? statement.columnNames()
                columns = names
                onRow(SQLiteResultRow(columns: names, values: (0..<Int32(names.count)).map { value(at: $0, of: statement.pointer) }))
            }
        }

        func close() {
            for statement in statements.values {
                sqlite3_finalize(statement.pointer)
            }
            statements.removeAll()
            sqlite3_close_v2(pointer)
            pointer = nil
        }

        private func prepared(_ sql: String, on connection: OpaquePointer) throws -> PreparedStatement {
            if let statement = statements[sql] { return statement }
            var pointer: OpaquePointer?
            let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
            guard code == SQLITE_OK, let pointer else { throw SQLiteFailure(code: code, connection: connection) }
            if statements.count >= Self.statementLimit {
                for statement in statements.values {
                    sqlite3_finalize(statement.pointer)
                }
                statements.removeAll()
            }
            let statement = PreparedStatement(pointer: pointer)
            statements[sql] = statement
            return statement
        }

        private func bind(_ value: SQLiteData, at index: Int32, to statement: OpaquePointer) -> Int32 {
            switch value {
            case .integer(let integer): sqlite3_bind_int64(statement, index, Int64(integer))
            case .float(let double): sqlite3_bind_double(statement, index, double)
            case .text(let text): sqlite3_bind_text(statement, index, text, -1, Self.transient)
            case .blob(let buffer):
                buffer.withUnsafeReadableBytes { bytes in
                    sqlite3_bind_blob(statement, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
                }
            case .null: sqlite3_bind_null(statement, index)
            }
        }

        private func value(at column: Int32, of statement: OpaquePointer) -> SQLiteData {
            switch sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER:
                return .integer(Int(sqlite3_column_int64(statement, column)))
            case SQLITE_FLOAT:
                return .float(sqlite3_column_double(statement, column))
            case SQLITE_TEXT:
                guard let text = sqlite3_column_text(statement, column) else { return .text("") }
                return .text(String(cString: text))
            case SQLITE_BLOB:
                let count = Int(sqlite3_column_bytes(statement, column))
                guard let bytes = sqlite3_column_blob(statement, column), count > 0 else { return .blob(ByteBuffer()) }
                return .blob(ByteBuffer(bytes: UnsafeRawBufferPointer(start: bytes, count: count)))
            default:
                return .null
            }
        }

        /// SQLite copies the bound value before the call returns (`SQLITE_TRANSIENT`, a macro
        /// Swift cannot import).
        private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    }

    private struct PreparedStatement {
        let pointer: OpaquePointer

        /// Asked at each run: a schema change may re-prepare a statement with other columns.
        func columnNames() -> [String] {
            (0..<sqlite3_column_count(pointer)).map { String(cString: sqlite3_column_name(pointer, $0)) }
        }
    }
}

/// An error SQLite returned, with its extended result code.
struct SQLiteFailure: Error, CustomStringConvertible {
    let code: Int32
    let message: String

    init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    init(code: Int32, connection: OpaquePointer) {
        self.init(code: code, message: String(cString: sqlite3_errmsg(connection)))
    }

    var description: String { "SQLite error \(code): \(message)" }

    /// The primary result code: the extended one without its detail bits.
    var primaryCode: Int32 { code & 0xFF }

    /// Extended constraint codes; `sqlite3.h` defines them as expressions Swift cannot import.
    static let uniqueConstraint = SQLITE_CONSTRAINT | (8 << 8)
    static let primaryKeyConstraint = SQLITE_CONSTRAINT | (6 << 8)
    static let foreignKeyConstraint = SQLITE_CONSTRAINT | (3 << 8)

    var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }
    var isUniqueViolation: Bool {
        code == Self.uniqueConstraint || code == Self.primaryKeyConstraint || code == SQLITE_CONSTRAINT
    }
    var isForeignKeyViolation: Bool { code == Self.foreignKeyConstraint }
    var isNotADatabase: Bool { primaryCode == SQLITE_NOTADB }
}

/// A result row as SQLKit reads it; values decode with SQLiteKit's decoder, as before.
struct SQLiteResultRow: SQLRow {
    let columns: [String]
    let values: [SQLiteData]

    var allColumns: [String] { columns }

    func contains(column: String) -> Bool {
        columns.contains(column)
    }

    func decodeNil(column: String) throws -> Bool {
        guard let index = columns.firstIndex(of: column) else { return true }
        return values[index] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let index = columns.firstIndex(of: column) else {
            throw SQLiteFailure(code: SQLITE_RANGE, message: "no column \(column) in the result")
        }
        return try SQLiteDataDecoder().decode(D.self, from: values[index])
    }
}

/// SQLKit's view of one ``SQLiteHandle``: queries serialize in SQLite's dialect and run at once,
/// on the calling thread.
struct SQLiteHandleDatabase: SQLDatabase {
    let handle: SQLiteHandle
    let logger: Logger
    let eventLoop: any EventLoop

    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        do {
            try run(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try run(query, onRow)
    }

    private func run(_ query: any SQLExpression, _ onRow: @Sendable (any SQLRow) -> Void) throws {
        let (sql, binds) = serialize(query)
        let encoder = SQLiteDataEncoder()
        try handle.execute(sql, binds.map { try encoder.encode($0) }) { onRow($0) }
    }
}
