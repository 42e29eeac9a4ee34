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

    @Test("the write-ahead log stays bounded while units keep committing: checkpoints keep up")
    func logStaysBounded() async throws {
        try await TestDatabase.with(.sqlite) { db in
            guard case .sqlite(let path) = db.url else { return }
            let database = db.store.database
            try await database.withSQL { try await $0.raw("CREATE TABLE filler (n INTEGER PRIMARY KEY, padding BLOB)").run() }
            // Some 24 MiB through the log, one 8 KiB row (two or three log pages) per unit, in
            // waves of concurrent units as requests would send them.
            for wave in 0..<30 {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for row in 0..<100 {
                        group.addTask {
                            try await database.transaction("filler") { sql in
                                try await sql.raw(
                                    "INSERT INTO filler (n, padding) VALUES (\(bind: wave * 100 + row), zeroblob(8192))"
                                ).run()
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let log = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
            // The writer checkpoints itself past 2,000 pages; a batch may add its own pages on top.
            #expect(log < 12 * 1024 * 1024, "log file of \(log) bytes")
            let rows = try await database.read { try await $0.raw("SELECT count(*) AS rows FROM filler").all() }
            #expect(try rows.first?.decode(column: "rows", as: Int.self) == 3000)
        }
    }
}
