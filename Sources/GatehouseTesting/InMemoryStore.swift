import Foundation
import GatehouseCore
import Synchronization

/// Every store protocol of `GatehouseCore` in memory, with the semantics of the SQL store, so that
/// the core endpoints can be tested without a socket or a database.
///
/// It passes the same conformance suite as SQLite and PostgreSQL: each operation is one unit of
/// work that applies whole or not at all (SPEC §9 "Atomic units of work"); the compare-and-swap of a
/// redemption or rotation decides races; references to missing clients and grants are
/// refused as the database's foreign keys refuse them, and deletions cascade as theirs do. Times are
/// kept to the whole second, as the database keeps them (milliseconds for rate-limit attempts and
/// signing keys), so an expiry falls at the same instant on every backend.
///
/// One lock guards all state: every unit works on a copy of the state and publishes it only when
/// it succeeds, which is what makes a failing unit write nothing.
public final class InMemoryStore: Sendable {
    struct State {
        var clients: [String: Client] = [:]
        var users: [String: User] = [:]
        var grants: [String: Grant] = [:]
        var codes: [String: AuthorizationCode] = [:]
        var accessTokens: [String: AccessTokenRecord] = [:]
        var refreshTokens: [String: RefreshTokenRecord] = [:]
        var sessions: [String: Session] = [:]
        var consents: [ConsentKey: ScopeSet] = [:]
        var loginFailures: [String: (count: Int, lastFailureAt: Date)] = [:]
        var rateLimitAttempts: Set<RateLimitAttempt> = []
        var serverSecrets: [String: [UInt8]] = [:]
        var signingKeys: [String: StoredSigningKey] = [:]
        var interactionChallenges: [String: StoredChallenge] = [:]
        /// Device authorization requests by device code hash (RFC 8628).
        var deviceCodes: [String: DeviceAuthorization] = [:]
    }

    struct ConsentKey: Hashable {
        var clientID: String
        var userID: String
    }

    private let state = Mutex(State())

    public init() {}

    /// Runs `body` as one unit: its changes are published only when it returns.
    func unit<Result>(_ body: (inout State) throws -> Result) throws -> Result {
        try state.withLock { current in
            var draft = current
            let result = try body(&draft)
            current = draft
            return result
        }
    }

    /// Reads a consistent snapshot.
    func read<Result>(_ body: (State) throws -> Result) rethrows -> Result {
        try state.withLock { try body($0) }
    }
}

extension InMemoryStore.State {
    /// The foreign keys of the schema: a row naming a missing client or grant is refused. A
    /// subject need not be a user of the built-in store (SPEC §10 delegated login).
    func requireReferences(clientID: String?, grantID: String? = nil, of what: String) throws {
        let clientMissing = clientID.map { clients[$0] == nil } ?? false
        let grantMissing = grantID.map { grants[$0] == nil } ?? false
        if clientMissing || grantMissing {
            throw StoreError.missingReference("the client, user or grant of \(what)")
        }
    }

    mutating func insert(_ record: AccessTokenRecord) throws {
        let what = "an access token with this hash"
        guard accessTokens[record.tokenHash] == nil else { throw StoreError.duplicate(what) }
        try requireReferences(clientID: record.clientID, grantID: record.grantID, of: what)
        accessTokens[record.tokenHash] = record.asInserted
    }

    mutating func insert(_ record: RefreshTokenRecord) throws {
        let what = "a refresh token with this hash"
        guard refreshTokens[record.tokenHash] == nil else { throw StoreError.duplicate(what) }
        try requireReferences(clientID: record.clientID, grantID: record.grantID, of: what)
        refreshTokens[record.tokenHash] = record.asInserted
    }

    /// Stores what one token response hands out, inside the caller's unit.
    mutating func insert(_ tokens: IssuedTokens) throws {
        try insert(tokens.accessToken)
        if let refresh = tokens.refreshToken {
            try insert(refresh)
        }
    }

    /// Revokes the access and refresh tokens matching `predicate` that are not revoked yet.
    /// - Returns: how many.
    mutating func revokeTokens(
        at date: Date,
        access: (AccessTokenRecord) -> Bool,
        refresh: (RefreshTokenRecord) -> Bool
    ) -> Int {
        var revoked = 0
        for (hash, record) in accessTokens where record.revokedAt == nil && access(record) {
            accessTokens[hash]?.revokedAt = date.toTheSecond
            revoked += 1
        }
        for (hash, record) in refreshTokens where record.revokedAt == nil && refresh(record) {
            refreshTokens[hash]?.revokedAt = date.toTheSecond
            revoked += 1
        }
        return revoked
    }

    /// `ON DELETE CASCADE`: removes the grants matching `grant`, then every row under them or
    /// matching `row`.
    mutating func cascadeDelete(
        grants grantMatches: (Grant) -> Bool,
        rows rowMatches: (_ clientID: String, _ userID: String?) -> Bool
    ) {
        let gone = Set(grants.values.filter(grantMatches).map(\.id))
        grants = grants.filter { !gone.contains($0.key) }
        codes = codes.filter { !gone.contains($0.value.grantID) && !rowMatches($0.value.clientID, $0.value.userID) }
        accessTokens = accessTokens.filter {
            !($0.value.grantID.map(gone.contains) ?? false) && !rowMatches($0.value.clientID, $0.value.userID)
        }
        refreshTokens = refreshTokens.filter { !gone.contains($0.value.grantID) && !rowMatches($0.value.clientID, $0.value.userID) }
        consents = consents.filter { !rowMatches($0.key.clientID, $0.key.userID) }
        deviceCodes = deviceCodes.filter { !rowMatches($0.value.clientID, nil) }
    }
}

extension Date {
    /// The instant as the database keeps it: Unix seconds, rounded down.
    var toTheSecond: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }

    /// The instant as the database keeps rate-limit attempts and signing keys: Unix milliseconds.
    var toTheMillisecond: Date { Date(timeIntervalSince1970: (timeIntervalSince1970 * 1000).rounded(.down) / 1000) }
}

extension AccessTokenRecord {
    /// The row an `INSERT` writes: times to the second, and never revoked yet.
    var asInserted: Self {
        var record = self
        record.issuedAt = issuedAt.toTheSecond
        record.expiresAt = expiresAt.toTheSecond
        record.revokedAt = nil
        return record
    }
}

extension RefreshTokenRecord {
    /// The row an `INSERT` writes: times to the second, neither rotated nor revoked yet.
    var asInserted: Self {
        var record = self
        record.issuedAt = issuedAt.toTheSecond
        record.expiresAt = expiresAt.toTheSecond
        record.rotatedAt = nil
        record.revokedAt = nil
        return record
    }
}
