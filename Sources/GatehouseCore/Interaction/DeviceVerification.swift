public import Foundation

/// The user's side of the device authorization grant (RFC 8628 §3.3, SPEC §11), without HTTP or
/// pages: find the pending request a typed user code names, under the limit on wrong codes, and
/// record the user's decision once.
public struct DeviceVerification: Sendable {
    /// A pending request found by its user code.
    public struct Pending: Sendable, Hashable {
        /// The user code in its canonical form (8 upper-case characters).
        public var userCode: String
        public var client: Client
        public var scope: ScopeSet

        /// The code as shown to the user: `XXXX-XXXX`.
        public var displayedUserCode: String { String(userCode.prefix(4)) + "-" + String(userCode.suffix(4)) }
    }

    public enum Lookup: Sendable, Hashable {
        case found(Pending)
        /// No pending, unexpired request has this code (or it is not a user code at all).
        case unknown
        /// SPEC §11: too many wrong codes from this address; 429 with `Retry-After`.
        case throttled(retryAfter: Int)
    }

    let clients: any ClientStore
    let store: any DeviceCodeStore
    let limiter: UserCodeLimiter
    let events: any SecurityEventSink
    let now: @Sendable () -> Date

    public init(
        clients: any ClientStore, store: any DeviceCodeStore, limiter: UserCodeLimiter,
        events: any SecurityEventSink = DiscardingSecurityEventSink(), now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.clients = clients
        self.store = store
        self.limiter = limiter
        self.events = events
        self.now = now
    }

    /// Looks a typed user code up, in any case and with or without the dash. A wrong code counts
    /// against the address; a right one does not.
    public func lookup(userCode typed: String, address: String?) async throws -> Lookup {
        let date = now()
        let address = address ?? "unknown"
        switch try await limiter.begin(address: address, at: date) {
        case .refused(let retryAfter):
            events.record(SecurityEvent(.rateLimited, outcome: .failure, time: date, address: address, reason: RateLimitName.userCode))
            return .throttled(retryAfter: retryAfter)
        case .proceed(let attempt):
            guard let normalized = UserCode.normalize(typed),
                let stored = try await store.pendingDeviceAuthorization(userCodeHash: UserCode.hash(normalized: normalized), at: date),
                let client = try await clients.client(id: stored.clientID)
            else { return .unknown }
            try await limiter.takeBack(attempt)
            return .found(Pending(userCode: normalized, client: client, scope: stored.scope))
        }
    }

    /// The pending request of a normalized user code the server itself handed on (a challenge's),
    /// outside the limit on wrong codes typed by users.
    func pending(userCode normalized: String) async throws -> Pending? {
        guard let stored = try await store.pendingDeviceAuthorization(userCodeHash: UserCode.hash(normalized: normalized), at: now()),
            let client = try await clients.client(id: stored.clientID)
        else { return nil }
        return Pending(userCode: normalized, client: client, scope: stored.scope)
    }

    /// Records that `subject` allowed the request; the device's next poll gets the tokens.
    /// - Parameter scope: what the user allowed, when a delegated consent narrowed the request's.
    /// - Returns: `false` when the request was decided meanwhile or expired.
    public func approve(
        _ pending: Pending, subject: String, scope: ScopeSet? = nil, delegation: Grant.Delegation? = nil, address: String? = nil
    ) async throws -> Bool {
        let date = now()
        let decided = try await store.decideDeviceAuthorization(
            userCodeHash: UserCode.hash(normalized: pending.userCode),
            decision: .approved(
                userID: subject, scope: scope ?? pending.scope, grantID: SecretGenerator().makeOrderedIdentifier(), delegation: delegation
            ),
            at: date
        )
        if decided {
            events.record(SecurityEvent(.consentGranted, time: date, clientID: pending.client.id, subject: subject, address: address))
        }
        return decided
    }

    /// Records that the user denied the request; the device's next poll gets `access_denied`.
    /// - Returns: `false` when the request was decided meanwhile or expired.
    public func deny(_ pending: Pending, subject: String?, address: String? = nil) async throws -> Bool {
        let date = now()
        let decided = try await store.decideDeviceAuthorization(
            userCodeHash: UserCode.hash(normalized: pending.userCode), decision: .denied, at: date
        )
        if decided {
            events.record(
                SecurityEvent(.consentDenied, outcome: .failure, time: date, clientID: pending.client.id, subject: subject, address: address)
            )
        }
        return decided
    }
}
