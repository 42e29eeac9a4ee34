import Foundation
import GatehouseCore
import GatehouseStore
import Logging

/// What the requests need, written through Gatehouse's own store (`SQLStore`, `Migrator`) and
/// token issuers, so that the benchmark's rows are exactly the product's rows: no schema, hashing
/// or token format is copied here.
struct Seeder {
    let store: SQLStore
    let file: ScenarioFile
    let now = Date()
    let generator = SecretGenerator()

    /// Migrates `url`, registers the clients and the user, and seeds every scenario's items.
    /// - Parameter consumedItems: how many items to seed for a scenario whose items are used once,
    ///   given their rate per second.
    static func seed(
        _ url: DatabaseURL, file: ScenarioFile, consumedItems: @escaping @Sendable (Int?) -> Int, logger: Logger
    ) async throws -> SeededState {
        let database = try await Database.open(url, logger: logger)
        do {
            _ = try await Migrator(database: database).migrate()
            let seeder = Seeder(store: SQLStore(database: database), file: file)
            let state = try await seeder.seedAll(consumedItems: consumedItems, logger: logger)
            await database.close()
            return state
        } catch {
            await database.close()
            throw error
        }
    }

    /// How many of `tokens` the store holds as revoked: RFC 7009 answers 200 for unknown tokens
    /// too, so only the store can tell that the revocation scenario revoked anything.
    static func revokedCount(_ url: DatabaseURL, tokens: [String], logger: Logger) async throws -> Int {
        let database = try await Database.open(url, logger: logger)
        let store = SQLStore(database: database)
        var revoked = 0
        do {
            for token in tokens where try await store.accessToken(hash: SecretHasher.hash(token))?.revokedAt != nil {
                revoked += 1
            }
        } catch {
            await database.close()
            throw error
        }
        await database.close()
        return revoked
    }

    private func seedAll(consumedItems: (Int?) -> Int, logger: Logger) async throws -> SeededState {
        var state = SeededState()
        for seed in file.clients {
            let secret = generator.make(.clientSecret)
            let client = Client(
                id: generator.makeIdentifier(), name: seed.name, secretHash: SecretHasher.hash(secret),
                redirectURIs: seed.redirectURIs ?? [], grantTypes: Set(seed.grantTypes.compactMap(GrantType.init(rawValue:))),
                scopes: ScopeSet(spaceSeparated: seed.scope), tokenFormat: seed.tokenFormat.flatMap(AccessTokenFormat.init(rawValue:)),
                canIntrospect: seed.canIntrospect ?? false, createdAt: now
            )
            try await store.createClient(client)
            state.clients[seed.name] = SeededClient(client: client, secret: secret)
        }
        if let userSeed = file.user {
            // No password can match "!": the benchmark never signs in, it starts signed in.
            let user = User(id: generator.makeIdentifier(), username: userSeed.username, passwordHash: "!", createdAt: now)
            try await store.createUser(user)
            for (clientName, scope) in userSeed.consents {
                let client = try state.client(named: clientName)
                try await store.recordConsent(clientID: client.client.id, userID: user.id, scope: ScopeSet(spaceSeparated: scope), at: now)
            }
            let cookie = generator.make(.session)
            try await store.createSession(
                Session(
                    idHash: SecretHasher.hash(cookie), userID: user.id, csrfToken: generator.make(.csrf),
                    createdAt: now, expiresAt: now.addingTimeInterval(86_400)
                )
            )
            state.userID = user.id
            state.sessionCookie = cookie
        }
        for scenario in file.scenarios {
            guard let pool = scenario.items else { continue }
            let owner = try state.client(named: pool.owner).client
            let count = pool.consumed ? consumedItems(pool.perSecond) : (pool.count ?? 100)
            let start = ContinuousClock.now
            let items: [String]
            switch pool.kind {
            case "refresh_token":
                guard let userID = state.userID else { throw LoadError("\(scenario.name): refresh tokens need the scenario file's user") }
                items = try await concurrently(count) { try await self.refreshToken(of: owner, userID: userID) }
            case "access_token":
                items = try await concurrently(count) { try await self.accessToken(of: owner) }
            default:
                throw LoadError("\(scenario.name): unknown item kind \(pool.kind)")
            }
            logger.info("seeded \(count) \(pool.kind) for \(scenario.name) in \(ContinuousClock.now - start)")
            state.items[scenario.name] = items
        }
        return state
    }

    /// A refresh token as a finished code flow leaves it: a grant of its own (reuse detection is
    /// per grant), a code, and the code redeemed for an access and a refresh token in one unit.
    private func refreshToken(of client: Client, userID: String) async throws -> String {
        let grant = Grant(id: generator.makeIdentifier(), clientID: client.id, userID: userID, scope: client.scopes, createdAt: now)
        try await store.createGrant(grant)
        let code = generator.make(.authorizationCode)
        try await store.insertAuthorizationCode(
            AuthorizationCode(
                codeHash: SecretHasher.hash(code), grantID: grant.id, clientID: client.id, userID: userID,
                redirectURI: client.redirectURIs.first, scope: grant.scope, codeChallenge: nil, state: nil,
                createdAt: now, expiresAt: now.addingTimeInterval(600)
            )
        )
        let access = try await AccessTokenIssuer(lifetime: 3600).make(client: client, userID: userID, scope: grant.scope, grantID: grant.id, now: now)
        let refresh = RefreshTokenIssuer(lifetime: 86_400).make(clientID: client.id, userID: userID, scope: grant.scope, grantID: grant.id, now: now)
        let issuing = IssuedTokens(accessToken: access.record, refreshToken: refresh.record)
        guard try await store.redeemAuthorizationCode(hash: SecretHasher.hash(code), issuing: issuing, at: now) else {
            throw LoadError("a freshly seeded code was not redeemable")
        }
        return refresh.token
    }

    /// An access token of `client`, as the client_credentials grant stores it.
    private func accessToken(of client: Client) async throws -> String {
        let access = try await AccessTokenIssuer(lifetime: 3600).make(client: client, userID: nil, scope: client.scopes, grantID: nil, now: now)
        try await store.insertAccessToken(access.record)
        return access.token
    }

    /// Runs `make` `count` times on 64 tasks, so the store can batch concurrent units as it does
    /// for concurrent requests.
    private func concurrently(_ count: Int, _ make: @escaping @Sendable () async throws -> String) async throws -> [String] {
        let workers = min(64, max(count, 1))
        return try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<workers {
                let share = count / workers + (worker < count % workers ? 1 : 0)
                group.addTask {
                    var made: [String] = []
                    made.reserveCapacity(share)
                    for _ in 0..<share { made.append(try await make()) }
                    return made
                }
            }
            var all: [String] = []
            all.reserveCapacity(count)
            for try await made in group { all += made }
            return all
        }
    }
}

/// What seeding made, for the requests: credentials, the session cookie, and items per scenario.
struct SeededState: Sendable {
    var clients: [String: SeededClient] = [:]
    var userID: String?
    var sessionCookie: String?
    var items: [String: [String]] = [:]

    func client(named name: String) throws -> SeededClient {
        guard let client = clients[name] else { throw LoadError("no client named \(name) in the scenario file") }
        return client
    }
}

struct SeededClient: Sendable {
    var client: Client
    var secret: String

    /// `client_secret_basic` (RFC 6749 §2.3.1); ids are hex and secrets base64url, so nothing
    /// needs form-encoding first.
    var basicAuthorization: String {
        "Basic " + Data("\(client.id):\(secret)".utf8).base64EncodedString()
    }
}

struct LoadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
