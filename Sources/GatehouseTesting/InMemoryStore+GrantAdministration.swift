public import Foundation
public import GatehouseCore

extension InMemoryStore: GrantAdministrationStore {
    public func activeGrants(subject: String?, clientID: String?, at date: Date) async throws -> [GrantSummary] {
        let now = date.toTheSecond
        return read { state in
            // Something of the grant still works: a live access or refresh token, or a code not yet redeemed.
            func hasLiveToken(_ grant: Grant) -> Bool {
                state.refreshTokens.values.contains { $0.grantID == grant.id && $0.revokedAt == nil && $0.rotatedAt == nil && $0.expiresAt > now }
                    || state.accessTokens.values.contains { $0.grantID == grant.id && $0.revokedAt == nil && $0.expiresAt > now }
                    || state.codes.values.contains { $0.grantID == grant.id && $0.consumedAt == nil && $0.expiresAt > now }
            }
            return state.grants.values
                .filter { grant in
                    grant.revokedAt == nil && (subject == nil || grant.userID == subject) && (clientID == nil || grant.clientID == clientID)
                        && hasLiveToken(grant)
                }
                .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
                .compactMap { grant in
                    state.clients[grant.clientID].map { client in
                        GrantSummary(
                            id: grant.id, clientID: grant.clientID, clientName: client.name, subject: grant.userID, scope: grant.scope,
                            createdAt: grant.createdAt
                        )
                    }
                }
        }
    }

    public func withdrawGrant(id: String, at date: Date) async throws -> Int? {
        try unit { state in
            guard let grant = state.grants[id], grant.revokedAt == nil else { return nil }
            state.grants[id]?.revokedAt = date.toTheSecond
            let revoked = state.revokeTokens(at: date, access: { $0.grantID == id }, refresh: { $0.grantID == id })
            state.codes = state.codes.filter { $0.value.grantID != id || $0.value.consumedAt != nil }
            if let userID = grant.userID {
                state.consents[ConsentKey(clientID: grant.clientID, userID: userID)] = nil
            }
            return revoked
        }
    }
}
