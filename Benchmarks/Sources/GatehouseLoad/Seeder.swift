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
                items = try await refreshTokens(count, of: owner, userID: userID)
            case "access_token":
                items = try await accessTokens(count, of: owner)
            default:
                throw LoadError("\(scenario.name): unknown item kind \(pool.kind)")
            }
            logger.info("seeded \(count) \(pool.kind) for \(scenario.name) in \(ContinuousClock.now - start)")
            state.items[scenario.name] = items
        }
        return state
    }

    /// Refresh tokens as finished code flows leave them: each a grant of its own (reuse detection is
    /// per grant), a code, and the access and refresh token the code was redeemed for, issued by the
    /// product's issuers and stored with the store's bulk import (a few hundred flows per
    /// transaction), so that 100k of them take seconds, not one unit of work each.
    private func refreshTokens(_ count: Int, of client: Client, userID: String) async throws -> [String] {
        var flows: [FinishedCodeFlow] = []
        var tokens: [String] = []
        flows.reserveCapacity(count)
        tokens.reserveCapacity(count)
        let accessIssuer = AccessTokenIssuer(lifetime: 3600)
        let refreshIssuer = RefreshTokenIssuer(lifetime: 86_400)
        for _ in 0..<count {
            let grant = Grant(id: generator.makeOrderedIdentifier(), clientID: client.id, userID: userID, scope: client.scopes, createdAt: now)
            let code = AuthorizationCode(
                codeHash: SecretHasher.hash(generator.make(.authorizationCode)), grantID: grant.id, clientID: client.id, userID: userID,
                redirectURI: client.redirectURIs.first, scope: grant.scope, codeChallenge: nil, state: nil,
                createdAt: now, expiresAt: now.addingTimeInterval(600)
            )
            let access = try await accessIssuer.make(client: client, userID: userID, scope: grant.scope, grantID: grant.id, now: now)
            let refresh = refreshIssuer.make(clientID: client.id, userID: userID, scope: grant.scope, grantID: grant.id, now: now)
            flows.append(FinishedCodeFlow(grant: grant, code: code, tokens: IssuedTokens(accessToken: access.record, refreshToken: refresh.record)))
            tokens.append(refresh.token)
        }
        try await store.importFinishedCodeFlows(flows)
        return tokens
    }

    /// Access tokens of `client`, as the client_credentials grant issues them, stored with the
    /// store's bulk import.
    private func accessTokens(_ count: Int, of client: Client) async throws -> [String] {
        var records: [AccessTokenRecord] = []
        var tokens: [String] = []
        records.reserveCapacity(count)
        tokens.reserveCapacity(count)
        let issuer = AccessTokenIssuer(lifetime: 3600)
        for _ in 0..<count {
            let access = try await issuer.make(client: client, userID: nil, scope: client.scopes, grantID: nil, now: now)
            records.append(access.record)
            tokens.append(access.token)
        }
        try await store.importAccessTokens(records)
        return tokens
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
