import CSQLite
import Synchronization

/// A value as SQLite stores it.
public enum SQLiteValue: Sendable, Equatable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    case null
}

/// One connection to an SQLite file of the system's SQLite library, called directly on the
/// thread that asks, one caller at a time, with every statement prepared once and kept.
///
/// A module of its own, importing SQLite's C header privately: SQLiteNIO, which SQLiteKit brings
/// into GatehouseStore, bundles another SQLite whose header declares the same C structures
/// differently, and Clang refuses both in one module.
///
/// SQLiteNIO runs each statement on a thread pool and resumes the caller on an event loop: three
/// thread wake-ups per statement, which cost more than the statements of a token request
/// together. Here a statement is a function call; ``SQLiteEngine`` decides which thread calls.
public final class SQLiteHandle: @unchecked Sendable {
    /// Touched only under `lock`: that is what makes the handle safe to share.
    private let connection: Connection
    private let lock = Mutex(())

    private init(_ connection: Connection) {
        self.connection = connection
    }

    /// Opens (creating if needed) the file at `path`; `file:` names are SQLite URIs.
    public static func open(path: String) throws -> SQLiteHandle {
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

    /// Runs one statement with `binds` for its `?NNN` placeholders, handing each row's column
    /// names and values to `onRow`.
    public func execute(_ sql: String, _ binds: [SQLiteValue], onRow: ([String], [SQLiteValue]) -> Void) throws {
        try lock.withLock { _ in try connection.execute(sql, binds, onRow: onRow) }
    }

    /// How long a statement waits for another connection's lock before it fails as busy.
    public func setBusyTimeout(milliseconds: Int) {
        lock.withLock { _ in _ = sqlite3_busy_timeout(connection.pointer, Int32(clamping: milliseconds)) }
    }

    public func close() {
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

        func execute(_ sql: String, _ binds: [SQLiteValue], onRow: ([String], [SQLiteValue]) -> Void) throws {
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
                onRow(names, (0..<Int32(names.count)).map { value(at: $0, of: statement.pointer) })
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

        private func bind(_ value: SQLiteValue, at index: Int32, to statement: OpaquePointer) -> Int32 {
            switch value {
            case .integer(let integer): sqlite3_bind_int64(statement, index, integer)
            case .real(let double): sqlite3_bind_double(statement, index, double)
            case .text(let text): sqlite3_bind_text(statement, index, text, -1, Self.transient)
            case .blob(let bytes):
                bytes.withUnsafeBytes { bytes in
                    sqlite3_bind_blob(statement, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
                }
            case .null: sqlite3_bind_null(statement, index)
            }
        }

        private func value(at column: Int32, of statement: OpaquePointer) -> SQLiteValue {
            switch sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER:
                return .integer(sqlite3_column_int64(statement, column))
            case SQLITE_FLOAT:
                return .real(sqlite3_column_double(statement, column))
            case SQLITE_TEXT:
                guard let text = sqlite3_column_text(statement, column) else { return .text("") }
                return .text(String(cString: text))
            case SQLITE_BLOB:
                let count = Int(sqlite3_column_bytes(statement, column))
                guard let bytes = sqlite3_column_blob(statement, column), count > 0 else { return .blob([]) }
                return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
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
public struct SQLiteFailure: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String

    init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    init(code: Int32, connection: OpaquePointer) {
        self.init(code: code, message: String(cString: sqlite3_errmsg(connection)))
    }

    public var description: String { "SQLite error \(code): \(message)" }

    /// The primary result code: the extended one without its detail bits.
    var primaryCode: Int32 { code & 0xFF }

    /// Extended constraint codes; `sqlite3.h` defines them as expressions Swift cannot import.
    static let uniqueConstraint = SQLITE_CONSTRAINT | (8 << 8)
    static let primaryKeyConstraint = SQLITE_CONSTRAINT | (6 << 8)
    static let foreignKeyConstraint = SQLITE_CONSTRAINT | (3 << 8)

    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }
    public var isUniqueViolation: Bool {
        code == Self.uniqueConstraint || code == Self.primaryKeyConstraint || code == SQLITE_CONSTRAINT
    }
    public var isForeignKeyViolation: Bool { code == Self.foreignKeyConstraint }
    public var isNotADatabase: Bool { primaryCode == SQLITE_NOTADB }
}
