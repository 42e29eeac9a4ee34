import Foundation
import GatehouseStore
import GatehouseTestSupport
import SQLKit
import Testing

/// SPEC §9 "Atomic units of work" under concurrency: on SQLite, units that arrive together
/// commit in one transaction, each in its own savepoint; a failing unit must still fail alone.
@Suite("Concurrent units of work", .spec("ops.atomic-units"))
struct ConcurrentUnitTests {
    private struct Refused: Error {}

    @Test("of 40 concurrent units, the ones that throw or break a constraint leave nothing; all others commit", arguments: Backend.available)
    func failingUnitsFailAlone(backend: Backend) async throws {
        try await TestDatabase.with(backend) { db in
            let database = db.store.database
            let table = "probe_" + uniqueName("units").replacingOccurrences(of: "-", with: "_")
            try await database.withSQL { try await $0.raw("CREATE TABLE \(ident: table) (n INTEGER PRIMARY KEY)").run() }
            let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for n in 0..<40 {
                    group.addTask {
                        do {
                            try await database.transaction("probe") { sql in
                                try await sql.raw("INSERT INTO \(ident: table) (n) VALUES (\(bind: n))").run()
                                if n % 5 == 1 { throw Refused() }
                                // A duplicate key fails inside the database, after this unit's first row.
                                if n % 5 == 2 { try await sql.raw("INSERT INTO \(ident: table) (n) VALUES (\(bind: n))").run() }
                            }
                            return (n, true)
                        } catch {
                            return (n, false)
                        }
                    }
                }
                return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            let rows = try await database.read { try await $0.raw("SELECT n FROM \(ident: table)").all() }
            let stored = Set(try rows.map { try $0.decode(column: "n", as: Int.self) })
            try await database.withSQL { try await $0.raw("DROP TABLE \(ident: table)").run() }

            let expected = Set((0..<40).filter { $0 % 5 != 1 && $0 % 5 != 2 })
            #expect(stored == expected)
            #expect(Set(outcomes.filter(\.value).keys) == expected, "exactly the units that committed report success")
        }
    }
}
