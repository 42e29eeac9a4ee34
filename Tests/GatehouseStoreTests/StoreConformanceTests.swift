import Foundation
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport
import Testing

/// The contract every store backend must keep; the same tests run in memory, on SQLite and on
/// PostgreSQL.
@Suite("Store conformance")
struct StoreConformanceTests {
    private func makeClient(name: String = uniqueName("client"), secretHash: String? = SecretHasher.hash("s")) -> Client {
        Client(
            id: SecretGenerator().makeIdentifier(),
            name: name,
            secretHash: secretHash,
            redirectURIs: ["https://app.example/cb", "http://127.0.0.1/cb"],
            grantTypes: [.authorizationCode, .clientCredentials],
            scopes: ["read", "write"],
            tokenFormat: .jwt,
            skipConsent: true,
            canIntrospect: true,
            createdAt: Date(timeIntervalSince1970: 1_700_000_000)
        )
    }

    private func makeToken(clientID: String, expiresIn: TimeInterval = 3600) -> (String, AccessTokenRecord) {
        let token = SecretGenerator().make(.accessToken)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        return (
            token,
            AccessTokenRecord(
                id: SecretGenerator().makeIdentifier(), tokenHash: SecretHasher.hash(token), clientID: clientID,
                userID: nil, scope: ["read"], issuedAt: now, expiresAt: now.addingTimeInterval(expiresIn)
            )
        )
    }

    @Test("a client reads back exactly as registered", arguments: StoreBackend.all)
    func clientRoundTrip(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let client = makeClient()
            try await db.store.createClient(client)
            #expect(try await db.store.client(id: client.id) == client)
            let publicClient = makeClient(secretHash: nil)
            try await db.store.createClient(publicClient)
            #expect(try await db.store.client(id: publicClient.id)?.isPublic == true)
            let listed = try await db.store.clients().map(\.id)
            #expect(listed.contains(client.id) && listed.contains(publicClient.id))
            #expect(try await db.store.client(id: "no-such-client") == nil)
        }
    }

    @Test("a duplicate client name is refused and writes nothing", arguments: StoreBackend.all)
    func duplicateClientName(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let first = makeClient()
            try await db.store.createClient(first)
            let second = makeClient(name: first.name)
            await #expect(throws: StoreError.self) { try await db.store.createClient(second) }
            #expect(try await db.store.client(id: second.id) == nil)
        }
    }

    @Test("deleting a client deletes its tokens", arguments: StoreBackend.all)
    func deleteCascades(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let client = makeClient()
            try await db.store.createClient(client)
            let (_, record) = makeToken(clientID: client.id)
            try await db.store.insertAccessToken(record)
            #expect(try await db.store.deleteClient(id: client.id))
            #expect(try await db.store.deleteClient(id: client.id) == false)
            #expect(try await db.store.accessToken(hash: record.tokenHash) == nil)
        }
    }

    @Test("rotating a secret replaces its hash", arguments: StoreBackend.all)
    func rotateSecret(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let client = makeClient()
            try await db.store.createClient(client)
            #expect(try await db.store.updateClientSecret(id: client.id, secretHash: SecretHasher.hash("new")))
            #expect(try await db.store.client(id: client.id)?.secretHash == SecretHasher.hash("new"))
            #expect(try await db.store.updateClientSecret(id: "missing", secretHash: "x") == false)
        }
    }

    @Test("access tokens are found by hash, and only the hash is stored", arguments: StoreBackend.all)
    func accessTokens(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let client = makeClient()
            try await db.store.createClient(client)
            let (token, record) = makeToken(clientID: client.id)
            try await db.store.insertAccessToken(record)
            #expect(try await db.store.accessToken(hash: SecretHasher.hash(token)) == record)
            #expect(try await db.store.accessToken(hash: token) == nil)
            await #expect(throws: StoreError.self) { try await db.store.insertAccessToken(record) }
        }
    }

    @Test("a token for an unknown client is refused: no orphan rows", arguments: StoreBackend.all)
    func tokenForUnknownClient(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let (_, record) = makeToken(clientID: "no-such-client")
            await #expect(throws: (any Error).self) { try await db.store.insertAccessToken(record) }
            let stored = try await db.store.accessToken(hash: record.tokenHash)
            #expect(stored == nil)
        }
    }

    @Test("concurrent token inserts all commit, and one bad row fails alone", arguments: StoreBackend.all)
    func groupCommit(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let client = makeClient()
            try await db.store.createClient(client)
            let good = (0..<40).map { _ in makeToken(clientID: client.id).1 }
            let bad = makeToken(clientID: "no-such-client").1
            let results = await withTaskGroup(of: (String, Bool).self) { group in
                for record in good + [bad] {
                    group.addTask {
                        do {
                            try await db.store.insertAccessToken(record)
                            return (record.id, true)
                        } catch {
                            return (record.id, false)
                        }
                    }
                }
                return await group.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(results[bad.id] == false)
            for record in good {
                #expect(results[record.id] == true)
                #expect(try await db.store.accessToken(hash: record.tokenHash) == record)
            }
        }
    }

    @Test("users: create, find, refuse duplicates, delete", arguments: StoreBackend.all)
    func users(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let user = User(
                id: SecretGenerator().makeIdentifier(), username: uniqueName("alice"),
                passwordHash: "$2b$12$hash", createdAt: Date(timeIntervalSince1970: 1_700_000_000)
            )
            try await db.store.createUser(user)
            #expect(try await db.store.user(username: user.username) == user)
            var twin = user
            twin.id = SecretGenerator().makeIdentifier()
            await #expect(throws: StoreError.duplicate("a user named \(user.username)")) { try await db.store.createUser(twin) }
            #expect(try await db.store.users().contains(user))
            #expect(try await db.store.deleteUser(username: user.username))
            #expect(try await db.store.user(username: user.username) == nil)
            #expect(try await db.store.deleteUser(username: user.username) == false)
        }
    }

    @Test("purging deletes expired rows and keeps live ones", arguments: StoreBackend.all)
    func purge(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let client = makeClient()
            try await db.store.createClient(client)
            let (_, live) = makeToken(clientID: client.id)
            try await db.store.insertAccessToken(live)
            var old = makeToken(clientID: client.id).1
            old.expiresAt = Date(timeIntervalSince1970: 1_000)
            try await db.store.insertAccessToken(old)
            // The real present: other tests share the PostgreSQL database, and their rows are live.
            try await db.store.purgeExpired(now: Date(), retention: 86_400)
            #expect(try await db.store.accessToken(hash: live.tokenHash) == live)
            let purged = try await db.store.accessToken(hash: old.tokenHash)
            #expect(purged == nil)
        }
    }

    @Test("migrating twice changes nothing", arguments: Backend.available)
    func migrationsAreIdempotent(backend: Backend) async throws {
        try await TestDatabase.with(backend) { db in
            let migrator = Migrator(database: db.store.database)
            #expect(try await migrator.migrate() == [])
            try await db.store.ping()
        }
    }
}
