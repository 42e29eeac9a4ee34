import Foundation
import Logging
import SQLKit

/// Brings the schema up to date: at `gatehouse serve` start and with `gatehouse migrate`.
public struct Migrator: Sendable {
    private let database: Database
    private let migrations: [Migration]

    public init(database: Database) {
        self.database = database
        self.migrations = Migration.all
    }

    /// The newest schema version this build knows.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Applies every migration not yet applied, each in its own transaction.
    /// - Returns: the versions applied now (empty when the schema was current).
    @discardableResult
    public func migrate() async throws -> [Int] {
        let migrations = self.migrations
        let isPostgres = database.isPostgres
        let logger = database.logger
        return try await database.withSQL { sql in
            // Several instances may start at once against one PostgreSQL: an advisory lock makes them
            // take turns, and each sees what the previous one applied.
            if isPostgres {
                try await sql.raw("SELECT pg_advisory_lock(4711043)").run()
            }
            do {
                let applied = try await Self.apply(migrations, on: sql, isPostgres: isPostgres, logger: logger)
                if isPostgres {
                    try await sql.raw("SELECT pg_advisory_unlock(4711043)").run()
                }
                return applied
            } catch {
                if isPostgres {
                    try? await sql.raw("SELECT pg_advisory_unlock(4711043)").run()
                }
                throw error
            }
        }
    }

    private static func apply(_ migrations: [Migration], on sql: any SQLDatabase, isPostgres: Bool, logger: Logger) async throws -> [Int] {
        try await sql.raw(
            """
            CREATE TABLE IF NOT EXISTS gatehouse_schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at BIGINT NOT NULL
            )
            """
        ).run()
        let rows = try await sql.raw("SELECT version FROM gatehouse_schema_migrations").all()
        let done = Set(try rows.map { try $0.decode(column: "version", as: Int.self) })
        var applied: [Int] = []
        for migration in migrations where !done.contains(migration.version) {
            try await sql.raw("BEGIN").run()
            do {
                let dialect = isPostgres ? migration.postgresStatements : migration.sqliteStatements
                for statement in dialect + migration.statements {
                    try await sql.raw(SQLQueryString(statement)).run()
                }
                let now = Int(Date().timeIntervalSince1970)
                try await sql.raw(
                    """
                    INSERT INTO gatehouse_schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: now))
                    """
                ).run()
                try await sql.raw("COMMIT").run()
            } catch {
                try? await sql.raw("ROLLBACK").run()
                throw error
            }
            logger.info("applied schema migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            applied.append(migration.version)
        }
        return applied
    }
}
