import GatehouseSQLite
import Logging
import NIOCore
import SQLKit
import SQLiteKit

/// A result row as SQLKit reads it; values decode with SQLiteKit's decoder.
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
            throw MissingColumn(column: column)
        }
        return try SQLiteDataDecoder().decode(D.self, from: values[index])
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
        let encoder = SQLiteDataEncoder()
        try handle.execute(sql, binds.map { SQLiteValue(try encoder.encode($0)) }) { columns, values in
            onRow(SQLiteResultRow(columns: columns, values: values.map(SQLiteData.init)))
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
