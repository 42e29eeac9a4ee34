import Foundation
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport
import Logging
import SQLKit
import Testing

/// SQLite's file at rest and under another process's lock (SPEC §9 "Keys and files at rest",
/// "Faults and load").
@Suite("SQLite file")
struct SQLiteFileTests {
    private func temporaryPath() throws -> (directory: URL, path: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return (directory, directory.appendingPathComponent("store.sqlite").path)
    }

    @Test("a database file Gatehouse creates is readable by its owner only", .spec("ops.keys-at-rest"))
    func createdPrivate() async throws {
        let (directory, path) = try temporaryPath()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try await Database.open(.sqlite(path: path), logger: Logger(label: "test"))
        try await Migrator(database: database).migrate()
        await database.close()
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("a file that is not SQLite is refused with an error, not a crash")
    func notSQLite() async throws {
        let (directory, path) = try temporaryPath()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        await #expect(throws: DatabaseConnectionError.self) {
            try await Database.open(.sqlite(path: path), logger: Logger(label: "test"))
        }
    }

    @Test("another connection holding the write lock makes a unit fail as unavailable within busy_timeout", .spec("ops.busy-database"))
    func busy() async throws {
        try await TestDatabase.with(.sqlite, busyTimeout: .seconds(1)) { db in
            guard case .sqlite(let path) = db.url else { return }
            let family = try await TokenFamily.seed(db.store)
            let other = try await Database.open(.sqlite(path: path), logger: Logger(label: "test"))
            try await other.withSQL { try await $0.raw("BEGIN IMMEDIATE").run() }
            let clock = ContinuousClock()
            let started = clock.now
            await #expect(throws: StoreError.unavailable(retryAfter: 1)) {
                try await db.store.redeemAuthorizationCode(hash: family.code.codeHash, issuing: family.pair(), at: TokenFamily.start)
            }
            #expect(clock.now - started < .seconds(2))
            // Reads go on beside the lock.
            #expect(try await db.store.authorizationCode(hash: family.code.codeHash)?.consumedAt == nil)
            try await other.withSQL { try await $0.raw("ROLLBACK").run() }
            await other.close()
            #expect(try await db.store.redeemAuthorizationCode(hash: family.code.codeHash, issuing: family.pair(), at: TokenFamily.start))
        }
    }
}
