import GatehouseSQLite
import Logging
import NIOCore
import SQLKit
import SQLiteKit

/// A result row as SQLKit reads it. Text and integers, nullable or not, decode directly; other
/// types with SQLiteKit's decoder, which makes a `JSONDecoder` and asks the runtime for protocol
/// conformances at every call: a token's row has a dozen columns, read on every request.
struct SQLiteResultRow: SQLRow {
    let columns: [String]
    let values: [SQLiteValue]

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
            throw MissingColumn(column: column)
        }
        let value = values[index]
        let direct: D? =
            switch value {
            case .text(let text): text as? D
            case .integer(let integer): Int(integer) as? D
            case .null: String?.none as? D
            case .real, .blob: nil
            }
        if let direct { return direct }
        return try SQLiteDataDecoder().decode(D.self, from: SQLiteData(value))
    }
}

struct MissingColumn: Error, CustomStringConvertible {
    let column: String
    var description: String { "no column \(column) in the result" }
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
        try handle.execute(sql, try binds.map(Self.value)) { columns, values in
            onRow(SQLiteResultRow(columns: columns, values: values))
        }
    }

    /// Text and integers, the binds of every hot statement, without SQLiteKit's encoder (see
    /// ``SQLiteResultRow``); a `nil` of any type is NULL.
    private static func value(_ bind: any Encodable & Sendable) throws -> SQLiteValue {
        switch bind {
        case let text as String: .text(text)
        case let integer as Int: .integer(Int64(integer))
        case let text as String?: text.map(SQLiteValue.text) ?? .null
        default: SQLiteValue(try SQLiteDataEncoder().encode(bind))
        }
    }
}

extension SQLiteValue {
    init(_ data: SQLiteData) {
        switch data {
        case .integer(let integer): self = .integer(Int64(integer))
        case .float(let double): self = .real(double)
        case .text(let text): self = .text(text)
        case .blob(let buffer): self = .blob(Array(buffer.readableBytesView))
        case .null: self = .null
        }
    }
}

extension SQLiteData {
    init(_ value: SQLiteValue) {
        switch value {
        case .integer(let integer): self = .integer(Int(integer))
        case .real(let double): self = .float(double)
        case .text(let text): self = .text(text)
        case .blob(let bytes): self = .blob(ByteBuffer(bytes: bytes))
        case .null: self = .null
        }
    }
}
