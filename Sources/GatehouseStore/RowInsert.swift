import SQLKit
import Synchronization

/// `INSERT INTO table (columns) VALUES (…), (…)` whose text is serialized once per dialect, table
/// and row count, and then only takes its binds. A whole statement only: its placeholders count
/// from the first.
///
/// SQLKit builds a statement's text anew at every run, a dozen string appends and existential
/// copies per value; for the token inserts that ran on SQLite's writer thread, where every unit
/// of work waits for it, that was 8 % of the thread's time.
struct RowInsert: SQLExpression {
    let table: String
    let columns: [String]
    let rows: [[any Encodable & Sendable]]

    private struct Shape: Hashable {
        let dialect: String
        let table: String
        let rowCount: Int
    }

    /// Texts kept; batches have at most a few hundred rows, so the shapes are few.
    private static let limit = 512
    private static let texts = Mutex<[Shape: String]>([:])

    func serialize(to serializer: inout SQLSerializer) {
        let shape = Shape(dialect: serializer.dialect.name, table: table, rowCount: rows.count)
        let text = Self.texts.withLock { $0[shape] } ?? makeText(for: serializer.database, shape: shape)
        serializer.write(text)
        for row in rows {
            serializer.binds.append(contentsOf: row)
        }
    }

    private func makeText(for database: any SQLDatabase, shape: Shape) -> String {
        var query = SQLQueryString("INSERT INTO \(unsafeRaw: table) (\(unsafeRaw: columns.joined(separator: ", "))) VALUES ")
        for (index, row) in rows.enumerated() {
            query.appendLiteral(index == 0 ? "(" : ", (")
            query.appendInterpolation(binds: row)
            query.appendLiteral(")")
        }
        var serializer = SQLSerializer(database: database)
        query.serialize(to: &serializer)
        let text = serializer.sql
        Self.texts.withLock { texts in
            if texts.count < Self.limit { texts[shape] = text }
        }
        return text
    }
}
