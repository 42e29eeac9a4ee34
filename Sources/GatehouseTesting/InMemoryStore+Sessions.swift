public import Foundation
public import GatehouseCore

extension InMemoryStore: SessionStore {
    public func createSession(_ session: Session) async throws {
        try unit { state in
            let what = "a session with this id"
            guard state.sessions[session.idHash] == nil else { throw StoreError.duplicate(what) }
            var stored = session
            stored.createdAt = session.createdAt.toTheSecond
            stored.expiresAt = session.expiresAt.toTheSecond
            state.sessions[session.idHash] = stored
        }
    }

    public func session(idHash: String) async throws -> Session? {
        read { $0.sessions[idHash] }
    }

    public func deleteSession(idHash: String) async throws {
        try unit { $0.sessions[idHash] = nil }
    }
}

extension InMemoryStore: LoginAttemptStore {
    public func recordLoginFailure(key: String, at date: Date) async throws -> Int {
        try unit { state in
            let count = (state.loginFailures[key]?.count ?? 0) + 1
            state.loginFailures[key] = (count, date.toTheSecond)
            return count
        }
    }

    public func loginFailures(key: String) async throws -> (count: Int, lastFailureAt: Date)? {
        read { $0.loginFailures[key] }
    }

    public func clearLoginFailures(key: String) async throws {
        try unit { $0.loginFailures[key] = nil }
    }
}

extension InMemoryStore: ConsentStore {
    public func consentedScope(clientID: String, userID: String) async throws -> ScopeSet {
        read { $0.consents[ConsentKey(clientID: clientID, userID: userID)] ?? [] }
    }

    /// The union of what was stored and `scope`, in one unit: concurrent consents lose nothing.
    public func recordConsent(clientID: String, userID: String, scope: ScopeSet, at date: Date) async throws {
        try unit { state in
            try state.requireReferences(clientID: clientID, of: "a consent")
            let key = ConsentKey(clientID: clientID, userID: userID)
            let current = state.consents[key] ?? []
            state.consents[key] = ScopeSet(current.tokens + scope.tokens)
        }
    }
}
