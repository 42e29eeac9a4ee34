import Foundation
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport
import Testing

/// The rate-limit and server-secret tables, on both databases. Keys are fresh per test, so tests
/// sharing one PostgreSQL never see each other's attempts.
@Suite("Rate-limit store")
struct RateLimitStoreTests {
    private func attempt(_ key: String, at seconds: TimeInterval) -> RateLimitAttempt {
        RateLimitAttempt(key: key, id: SecretGenerator().makeIdentifier(), at: Date(timeIntervalSince1970: seconds))
    }

    @Test("a window counts the attempts after its start, per key, with the oldest", arguments: StoreBackend.all)
    func windows(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let store = db.store
            let (a, b) = (uniqueName("key"), uniqueName("key"))
            let base: TimeInterval = 1_900_000_000
            try await store.recordAttempts([attempt(a, at: base), attempt(a, at: base + 10.5), attempt(b, at: base + 20)])
            try await store.recordAttempts([attempt(a, at: base + 30)])
            let windows = try await store.attemptWindows(keys: [a, b, uniqueName("none")], after: Date(timeIntervalSince1970: base + 5))
            #expect(windows.count == 2)
            #expect(windows[a] == RateLimitWindow(count: 2, oldest: Date(timeIntervalSince1970: base + 10.5)))
            #expect(windows[b]?.count == 1)
        }
    }

    @Test("single attempts and whole keys are forgotten; old attempts purged", arguments: StoreBackend.all)
    func deletion(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let store = db.store
            let (a, b) = (uniqueName("key"), uniqueName("key"))
            let kept = attempt(a, at: 1_900_000_100)
            let forgotten = attempt(a, at: 1_900_000_200)
            try await store.recordAttempts([kept, forgotten, attempt(b, at: 1_900_000_300)])
            try await store.deleteAttempts([forgotten])
            let start = Date(timeIntervalSince1970: 1_900_000_000)
            #expect(try await store.attemptWindows(keys: [a], after: start)[a]?.count == 1)
            try await store.clearAttempts(key: b)
            #expect(try await store.attemptWindows(keys: [b], after: start)[b] == nil)

            // Attempts dated in 1970 belong to no other test; the purge takes them and leaves the rest.
            let old = uniqueName("key")
            try await store.recordAttempts([attempt(old, at: 1000), attempt(old, at: 5000)])
            #expect(try await store.purgeAttempts(before: Date(timeIntervalSince1970: 3000)) >= 1)
            #expect(try await store.attemptWindows(keys: [old], after: .distantPast)[old]?.count == 1)
            #expect(try await store.attemptWindows(keys: [a], after: start)[a]?.count == 1)
        }
    }

    @Test("concurrent callers all get the one server secret first stored", arguments: StoreBackend.all)
    func serverSecret(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let store = db.store
            let name = uniqueName("secret")
            let secrets = try await withThrowingTaskGroup(of: [UInt8].self) { group in
                for index in 0..<8 {
                    group.addTask { try await store.serverSecret(named: name, candidate: Array(repeating: UInt8(index + 1), count: 32)) }
                }
                return try await group.reduce(into: Set<[UInt8]>()) { $0.insert($1) }
            }
            #expect(secrets.count == 1)
            let again = try await store.serverSecret(named: name, candidate: Array(repeating: 99, count: 32))
            #expect(secrets.first == again)
        }
    }
}
