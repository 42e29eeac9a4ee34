import Foundation
import GatehouseCore
import GatehouseStore
import Logging
import SQLKit
import Testing

/// Migration 9 on a database that already has users: they keep everything and have no profile.
/// SQLite only: undoing the migration to set the scene would disturb the other tests on the shared
/// PostgreSQL database, and the two statements are the same on both.
@Suite("Migration 9: user email and name")
struct UserProfileMigrationTests {
    @Test("users created before migration 9 survive it, without email or name, and can then be given them")
    func upgrade() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-migration-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try await Database.open(
            .sqlite(path: directory.appendingPathComponent("store.sqlite").path), logger: Logger(label: "test")
        )
        let migrator = Migrator(database: database)
        try await migrator.migrate()
        try await database.withSQL { sql in
            for statement in [
                "ALTER TABLE users DROP COLUMN email", "ALTER TABLE users DROP COLUMN name",
                "DELETE FROM gatehouse_schema_migrations WHERE version = 9",
                "INSERT INTO users (id, username, password_hash, created_at) VALUES ('u1', 'old', '$2b$12$hash', 1700000000)",
            ] {
                try await sql.raw(SQLQueryString(statement)).run()
            }
        }

        #expect(try await migrator.migrate() == [9])
        let store = SQLStore(database: database)
        let old = try #require(try await store.user(username: "old"))
        #expect(old == User(id: "u1", username: "old", passwordHash: "$2b$12$hash", createdAt: Date(timeIntervalSince1970: 1_700_000_000)))
        let new = User(id: "u2", username: "new", passwordHash: "$2b$12$hash", createdAt: Date(), email: "new@example.com", name: "New")
        try await store.createUser(new)
        #expect(try await store.user(id: "u2")?.email == "new@example.com")
        await database.close()
    }
}
