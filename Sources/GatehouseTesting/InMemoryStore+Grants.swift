public import Foundation
public import GatehouseCore

extension InMemoryStore: GrantStore {
    public func createGrant(_ grant: Grant) async throws {
        try unit { state in
            let what = "a grant with this id"
            guard state.grants[grant.id] == nil else { throw StoreError.duplicate(what) }
            try state.requireReferences(clientID: grant.clientID, of: what)
            var stored = grant
            stored.createdAt = grant.createdAt.toTheSecond
            stored.revokedAt = nil
            stored.openID?.authTime = grant.openID?.authTime.toTheSecond ?? grant.createdAt.toTheSecond
            state.grants[grant.id] = stored
        }
    }

    public func grant(id: String) async throws -> Grant? {
        read { $0.grants[id] }
    }

    /// One unit: the grant and every token descended from it, or nothing.
    @discardableResult
    public func revokeGrant(id: String, at date: Date) async throws -> Int {
        try unit { state in
            if state.grants[id]?.revokedAt == nil {
                state.grants[id]?.revokedAt = date.toTheSecond
            }
            return state.revokeTokens(at: date, access: { $0.grantID == id }, refresh: { $0.grantID == id })
        }
    }

    public func insertAuthorizationCode(_ code: AuthorizationCode) async throws {
        try unit { state in
            let what = "an authorization code with this hash"
            guard state.codes[code.codeHash] == nil else { throw StoreError.duplicate(what) }
            try state.requireReferences(clientID: code.clientID, grantID: code.grantID, of: what)
            var stored = code
            stored.createdAt = code.createdAt.toTheSecond
            stored.expiresAt = code.expiresAt.toTheSecond
            stored.consumedAt = nil
            state.codes[code.codeHash] = stored
        }
    }

    public func authorizationCode(hash: String) async throws -> AuthorizationCode? {
        read { state in
            guard var code = state.codes[hash], let grant = state.grants[code.grantID], grant.revokedAt == nil else { return nil }
            // As the SQL store: the sign-in of an `openid` code is kept with its grant.
            code.openID = grant.openID
            return code
        }
    }

    public func refreshToken(hash: String) async throws -> RefreshTokenRecord? {
        read { $0.refreshTokens[hash] }
    }
}

extension InMemoryStore: CodeRedemptionStore {
    /// The compare-and-swap runs first: the loser of a race writes nothing, and a failing insert
    /// leaves the code unconsumed.
    public func redeemAuthorizationCode(hash: String, issuing tokens: IssuedTokens, at date: Date) async throws -> Bool {
        try unit { state in
            guard let code = state.codes[hash], code.consumedAt == nil, state.grants[code.grantID]?.revokedAt == nil else {
                return false
            }
            state.codes[hash]?.consumedAt = date.toTheSecond
            try state.insert(tokens)
            return true
        }
    }
}

extension InMemoryStore: RefreshRotationStore {
    public func refreshTokenWithGrant(hash: String) async throws -> (token: RefreshTokenRecord, grant: Grant)? {
        read { state in
            guard let token = state.refreshTokens[hash], let grant = state.grants[token.grantID] else { return nil }
            return (token, grant)
        }
    }

    /// The rules of ``RefreshRotationStore/rotateRefreshToken(hash:clientID:issuing:reuseInterval:at:)``,
    /// counted in whole seconds as the database counts them.
    public func rotateRefreshToken(
        hash: String, clientID: String, issuing tokens: IssuedTokens, reuseInterval: Int, at date: Date
    ) async throws -> RefreshRotation {
        let now = date.toTheSecond
        return try unit { state in
            if let current = state.refreshTokens[hash], current.rotatedAt == nil, current.revokedAt == nil {
                state.refreshTokens[hash]?.rotatedAt = now
                try state.insert(tokens)
                return .rotated
            }
            guard reuseInterval > 0,
                let current = state.refreshTokens[hash],
                current.clientID == clientID,
                current.revokedAt == nil,
                let rotatedAt = current.rotatedAt,
                now.timeIntervalSince(rotatedAt) < TimeInterval(reuseInterval)
            else { return .reuse }
            // The refresh token of the earlier answer was used: that answer arrived, so this is no
            // retry of a lost response.
            guard !state.refreshTokens.values.contains(where: { $0.parentTokenHash == hash && $0.rotatedAt != nil }) else {
                return .reuse
            }
            _ = state.revokeTokens(at: now, access: { $0.parentTokenHash == hash }, refresh: { $0.parentTokenHash == hash })
            try state.insert(tokens)
            return .replacedEarlierPair
        }
    }
}

extension InMemoryStore: AccessTokenStore {
    public func insertAccessToken(_ record: AccessTokenRecord) async throws {
        try unit { try $0.insert(record) }
    }

    public func accessToken(hash: String) async throws -> AccessTokenRecord? {
        read { $0.accessTokens[hash] }
    }

    public func revokeAccessToken(hash: String, at date: Date) async throws {
        try unit { state in
            if state.accessTokens[hash]?.revokedAt == nil {
                state.accessTokens[hash]?.revokedAt = date.toTheSecond
            }
        }
    }
}

extension InMemoryStore: BulkRevocationStore {
    public func revokeAllTokens(clientID: String, at date: Date) async throws -> Int {
        try unit { state in
            for (id, grant) in state.grants where grant.clientID == clientID && grant.revokedAt == nil {
                state.grants[id]?.revokedAt = date.toTheSecond
            }
            return state.revokeTokens(at: date, access: { $0.clientID == clientID }, refresh: { $0.clientID == clientID })
        }
    }

    /// SPEC §9: also signs the user out everywhere and forgets what the user consented to.
    public func revokeAllTokens(userID: String, at date: Date) async throws -> Int {
        try unit { state in
            for (id, grant) in state.grants where grant.userID == userID && grant.revokedAt == nil {
                state.grants[id]?.revokedAt = date.toTheSecond
            }
            let revoked = state.revokeTokens(at: date, access: { $0.userID == userID }, refresh: { $0.userID == userID })
            state.sessions = state.sessions.filter { $0.value.userID != userID }
            state.consents = state.consents.filter { $0.key.userID != userID }
            return revoked
        }
    }
}
