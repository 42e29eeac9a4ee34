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

    @Test("deleting a client takes everything issued to it: grants, codes, tokens, consents", arguments: StoreBackend.all)
    func deleteTakesEverything(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let family = try await TokenFamily.seed(db.store)
            let unused = family.pair()
            let refresh = try await family.redeem(db.store)
            try await db.store.recordConsent(clientID: family.client.id, userID: family.user.id, scope: ["read"], at: TokenFamily.start)
            #expect(try await db.store.deleteClient(id: family.client.id))
            #expect(try await db.store.grant(id: family.grant.id) == nil)
            #expect(try await db.store.authorizationCode(hash: family.code.codeHash) == nil)
            #expect(try await db.store.refreshToken(hash: refresh.tokenHash) == nil)
            #expect(try await db.store.consentedScope(clientID: family.client.id, userID: family.user.id).isEmpty)
            // Nothing can be issued under the deleted client either.
            await #expect(throws: StoreError.self) { try await db.store.insertAccessToken(unused.accessToken) }
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

    @Test("RFC 7591 metadata, a secret in its grace period and a registration token read back as stored", arguments: StoreBackend.all)
    func clientMetadataRoundTrip(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            var client = makeClient()
            client.tokenEndpointAuthMethod = .clientSecretPost
            client.clientURI = "https://app.example"
            client.logoURI = "https://app.example/logo.png"
            client.contacts = ["Ops Team <ops@app.example>", "mailto:dev@app.example"]
            client.postLogoutRedirectURIs = ["https://app.example/bye", "http://127.0.0.1/bye"]
            client.previousSecretHash = SecretHasher.hash("old")
            client.previousSecretExpiresAt = Date(timeIntervalSince1970: 1_700_000_600)
            client.registrationAccessTokenHash = SecretHasher.hash("rat")
            try await db.store.createClient(client)
            #expect(try await db.store.client(id: client.id) == client)

            let bare = makeClient(secretHash: nil)
            try await db.store.createClient(bare)
            let stored = try await db.store.client(id: bare.id)
            #expect(stored?.tokenEndpointAuthMethod == TokenEndpointAuthMethod.none)
            #expect(stored?.contacts == [] && stored?.postLogoutRedirectURIs == [] && stored?.registrationAccessTokenHash == nil)
        }
    }

    @Test("pages of clients are oldest first, each client once, with a cursor while more follow", arguments: StoreBackend.all)
    func clientPages(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            // Far in the future, at a random second: on the shared PostgreSQL no other test's
            // clients fall between these.
            let base = Date(timeIntervalSince1970: TimeInterval(Int.random(in: 5_000_000_000...9_000_000_000)))
            var ours: [Client] = []
            for offset in [0, 0, 0, 1, 2] {
                var client = makeClient()
                client.createdAt = base.addingTimeInterval(TimeInterval(offset))
                try await db.store.createClient(client)
                ours.append(client)
            }
            let expected = ours.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.map(\.id)
            var seen: [String] = []
            var cursor: ClientCursor? = ClientCursor(createdAt: base.addingTimeInterval(-1), id: "")
            while seen.count < expected.count, let current = cursor {
                let page = try await db.store.clients(after: current, limit: 2)
                #expect(page.clients.count <= 2)
                seen += page.clients.map(\.id)
                cursor = page.nextCursor
            }
            #expect(Array(seen.prefix(expected.count)) == expected)
            #expect(Set(seen).count == seen.count)

            let encoded = try #require(ClientCursor(encoded: ClientCursor(after: ours[0]).encoded))
            #expect(encoded == ClientCursor(after: ours[0]))
            #expect(ClientCursor(encoded: "not a cursor") == nil)
            let first = try await db.store.clients(after: nil, limit: 1)
            #expect(first.clients.count == 1 && first.nextCursor != nil)
        }
    }

    @Test("replacing metadata keeps id, secrets, registration token and creation time; a taken name is refused", arguments: StoreBackend.all)
    func replaceMetadata(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            var client = makeClient()
            client.registrationAccessTokenHash = SecretHasher.hash("rat")
            try await db.store.createClient(client)
            let other = makeClient()
            try await db.store.createClient(other)

            var replacement = client
            replacement.name = uniqueName("renamed")
            replacement.redirectURIs = ["https://new.example/cb"]
            replacement.grantTypes = [.authorizationCode]
            replacement.scopes = ["read"]
            replacement.tokenFormat = nil
            replacement.skipConsent = false
            replacement.contacts = ["new@app.example"]
            replacement.secretHash = SecretHasher.hash("ignored")
            replacement.registrationAccessTokenHash = nil
            replacement.createdAt = Date(timeIntervalSince1970: 1)
            #expect(try await db.store.replaceClientMetadata(replacement))
            var expected = replacement
            expected.secretHash = client.secretHash
            expected.registrationAccessTokenHash = client.registrationAccessTokenHash
            expected.createdAt = client.createdAt
            #expect(try await db.store.client(id: client.id) == expected)

            var clash = expected
            clash.name = other.name
            await #expect(throws: StoreError.self) { try await db.store.replaceClientMetadata(clash) }
            #expect(try await db.store.client(id: client.id) == expected)
            var missing = expected
            missing.id = "no-such-client"
            missing.name = uniqueName("missing")
            #expect(try await db.store.replaceClientMetadata(missing) == false)
        }
    }

    @Test("a rotation with a grace period keeps the replaced secret until then; without, it is gone", arguments: StoreBackend.all)
    func rotateWithGrace(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let client = makeClient()
            try await db.store.createClient(client)
            let until = Date(timeIntervalSince1970: 1_900_000_000)
            #expect(try await db.store.rotateClientSecret(id: client.id, newHash: SecretHasher.hash("second"), graceUntil: until))
            var stored = try await db.store.client(id: client.id)
            #expect(stored?.secretHash == SecretHasher.hash("second"))
            #expect(stored?.previousSecretHash == client.secretHash)
            #expect(stored?.previousSecretExpiresAt == until)

            #expect(try await db.store.rotateClientSecret(id: client.id, newHash: SecretHasher.hash("third"), graceUntil: nil))
            stored = try await db.store.client(id: client.id)
            #expect(stored?.secretHash == SecretHasher.hash("third"))
            #expect(stored?.previousSecretHash == nil && stored?.previousSecretExpiresAt == nil)

            let publicClient = makeClient(secretHash: nil)
            try await db.store.createClient(publicClient)
            #expect(try await db.store.rotateClientSecret(id: publicClient.id, newHash: "x", graceUntil: nil) == false)
            #expect(try await db.store.client(id: publicClient.id)?.secretHash == nil)
            #expect(try await db.store.rotateClientSecret(id: "missing", newHash: "x", graceUntil: until) == false)
        }
    }

    @Test("a registration access token hash is set, replaced and read back", arguments: StoreBackend.all)
    func registrationAccessToken(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let client = makeClient()
            try await db.store.createClient(client)
            #expect(try await db.store.registrationAccessTokenHash(id: client.id) == nil)
            #expect(try await db.store.setRegistrationAccessTokenHash(id: client.id, hash: SecretHasher.hash("one")))
            #expect(try await db.store.setRegistrationAccessTokenHash(id: client.id, hash: SecretHasher.hash("two")))
            #expect(try await db.store.registrationAccessTokenHash(id: client.id) == SecretHasher.hash("two"))
            #expect(try await db.store.setRegistrationAccessTokenHash(id: "missing", hash: "x") == false)
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

    @Test("users: the optional email and name round-trip, and stay nil when not set", arguments: StoreBackend.all)
    func userProfiles(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let created = Date(timeIntervalSince1970: 1_700_000_000)
            let full = User(
                id: SecretGenerator().makeIdentifier(), username: uniqueName("grace"), passwordHash: "$2b$12$hash",
                createdAt: created, email: "grace@example.com", name: "Grace Hopper — Ω"
            )
            let emailOnly = User(
                id: SecretGenerator().makeIdentifier(), username: uniqueName("ada"), passwordHash: "$2b$12$hash",
                createdAt: created, email: "ada@example.org"
            )
            let bare = User(
                id: SecretGenerator().makeIdentifier(), username: uniqueName("alan"), passwordHash: "$2b$12$hash", createdAt: created
            )
            for user in [full, emailOnly, bare] { try await db.store.createUser(user) }
            for user in [full, emailOnly, bare] {
                #expect(try await db.store.user(username: user.username) == user)
                #expect(try await db.store.user(id: user.id) == user)
            }
            #expect(try await db.store.user(username: bare.username)?.email == nil)
            #expect(try await db.store.user(username: emailOnly.username)?.name == nil)
            let listed = try await db.store.users()
            for user in [full, emailOnly, bare] { #expect(listed.contains(user)) }
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
