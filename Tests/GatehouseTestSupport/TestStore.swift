public import Foundation
public import GatehouseCore
public import GatehouseStore
public import GatehouseTesting

/// Every store protocol the server uses, and the purge of its janitor: the contract of the store
/// conformance suite, kept by ``SQLStore`` and ``InMemoryStore`` alike.
public protocol ConformingStore:
    ClientRegistry, UserStore, GrantStore, CodeRedemptionStore, RefreshRotationStore, AccessTokenStore, BulkRevocationStore,
    ConsentStore, SessionStore, LoginAttemptStore, RateLimitStore, ServerSecretStore, SigningKeyStore, GrantAdministrationStore,
    DeviceCodeStore
{
    /// Deletes expired rows; see `SQLStore.purgeExpired(now:retention:)`.
    @discardableResult
    func purgeExpired(now: Date, retention: TimeInterval) async throws -> Int
}

extension SQLStore: ConformingStore {}
extension InMemoryStore: ConformingStore {}

/// The backends a store-level test runs on: the in-memory store, and every database of
/// ``Backend/available``. Server and CLI tests need a database and keep to ``Backend``.
public enum StoreBackend: Sendable, CustomStringConvertible {
    case memory
    case database(Backend)

    public static let all: [StoreBackend] = [.memory] + Backend.available.map { .database($0) }

    /// The backends whose database no other test reads: for tests that write rows every server
    /// loads (signing keys), which on the shared PostgreSQL would break other tests' servers.
    public static let isolated: [StoreBackend] = [.memory, .database(.sqlite)]

    public var description: String {
        switch self {
        case .memory: "memory"
        case .database(let backend): backend.description
        }
    }
}

/// A fresh store for one test on one backend.
public struct TestStore: Sendable {
    public let backend: StoreBackend
    public let store: any ConformingStore

    /// Runs `body` with a fresh store, closing a database afterwards, also when `body` throws.
    public static func with<Result: Sendable>(
        _ backend: StoreBackend, _ body: (TestStore) async throws -> Result
    ) async throws -> Result {
        switch backend {
        case .memory:
            return try await body(TestStore(backend: backend, store: InMemoryStore()))
        case .database(let database):
            return try await TestDatabase.with(database) { db in
                try await body(TestStore(backend: backend, store: db.store))
            }
        }
    }
}
