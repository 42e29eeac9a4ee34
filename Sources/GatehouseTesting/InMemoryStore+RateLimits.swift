public import Foundation
public import GatehouseCore

/// Attempts are kept to the millisecond, as the `rate_limit_attempts` table keeps them.
extension InMemoryStore: RateLimitStore {
    public func recordAttempts(_ attempts: [RateLimitAttempt]) async throws {
        try unit { state in
            for attempt in attempts {
                guard state.rateLimitAttempts.insert(attempt.toTheMillisecond).inserted else {
                    throw StoreError.duplicate("a rate-limit attempt with this id")
                }
            }
        }
    }

    public func attemptWindows(keys: [String], after start: Date) async throws -> [String: RateLimitWindow] {
        let keys = Set(keys)
        let start = start.toTheMillisecond
        return read { state in
            var windows: [String: RateLimitWindow] = [:]
            for attempt in state.rateLimitAttempts where keys.contains(attempt.key) && attempt.at > start {
                let window = windows[attempt.key]
                windows[attempt.key] = RateLimitWindow(
                    count: (window?.count ?? 0) + 1, oldest: min(window?.oldest ?? attempt.at, attempt.at)
                )
            }
            return windows
        }
    }

    public func deleteAttempts(_ attempts: [RateLimitAttempt]) async throws {
        try unit { state in
            for attempt in attempts {
                state.rateLimitAttempts.remove(attempt.toTheMillisecond)
            }
        }
    }

    public func clearAttempts(key: String) async throws {
        try unit { state in state.rateLimitAttempts = state.rateLimitAttempts.filter { $0.key != key } }
    }

    @discardableResult
    public func purgeAttempts(before date: Date) async throws -> Int {
        let cutoff = date.toTheMillisecond
        return try unit { state in
            let before = state.rateLimitAttempts.count
            state.rateLimitAttempts = state.rateLimitAttempts.filter { $0.at >= cutoff }
            return before - state.rateLimitAttempts.count
        }
    }
}

extension InMemoryStore: ServerSecretStore {
    /// Insert-if-absent, then read: every caller gets the first candidate stored.
    public func serverSecret(named name: String, candidate: [UInt8]) async throws -> [UInt8] {
        let stored = try unit { state in
            if state.serverSecrets[name] == nil {
                state.serverSecrets[name] = candidate
            }
            return state.serverSecrets[name] ?? candidate
        }
        // The database refuses an empty secret as unreadable; so does this store.
        guard !stored.isEmpty else { throw InMemoryStoreError.emptyServerSecret(name) }
        return stored
    }
}

extension InMemoryStore: SigningKeyStore {
    public func signingKeys() async throws -> [StoredSigningKey] {
        read { state in state.signingKeys.values.sorted { ($0.createdAt, $0.kid) < ($1.createdAt, $1.kid) } }
    }

    public func insertSigningKey(_ key: StoredSigningKey) async throws {
        try unit { state in
            guard state.signingKeys[key.kid] == nil else { throw StoreError.duplicate("a signing key with this kid") }
            var stored = key
            stored.createdAt = key.createdAt.toTheMillisecond
            state.signingKeys[key.kid] = stored
        }
    }

    public func replaceSealedPrivateKey(kid: String, sealedPrivateKey: String) async throws {
        try unit { $0.signingKeys[kid]?.sealedPrivateKey = sealedPrivateKey }
    }
}

extension InMemoryStore {
    /// Deletes what can no longer matter, as `SQLStore.purgeExpired` does: expired sessions, and
    /// codes, tokens and sign-in failures expired for longer than `retention`.
    /// - Returns: the rows deleted.
    @discardableResult
    public func purgeExpired(now: Date, retention: TimeInterval = 86_400) async throws -> Int {
        let current = now.toTheSecond
        let cutoff = now.addingTimeInterval(-retention).toTheSecond
        return try unit { state in
            let before =
                state.sessions.count + state.codes.count + state.accessTokens.count + state.refreshTokens.count
                + state.loginFailures.count + state.deviceCodes.count
            state.sessions = state.sessions.filter { $0.value.expiresAt >= current }
            state.codes = state.codes.filter { $0.value.expiresAt >= cutoff }
            state.accessTokens = state.accessTokens.filter { $0.value.expiresAt >= cutoff }
            state.refreshTokens = state.refreshTokens.filter { $0.value.expiresAt >= cutoff }
            state.loginFailures = state.loginFailures.filter { $0.value.lastFailureAt >= cutoff }
            state.deviceCodes = state.deviceCodes.filter { $0.value.expiresAt >= cutoff }
            return before
                - (state.sessions.count + state.codes.count + state.accessTokens.count + state.refreshTokens.count
                    + state.loginFailures.count + state.deviceCodes.count)
        }
    }
}

extension RateLimitAttempt {
    var toTheMillisecond: Self {
        RateLimitAttempt(key: key, id: id, at: at.toTheMillisecond)
    }
}
