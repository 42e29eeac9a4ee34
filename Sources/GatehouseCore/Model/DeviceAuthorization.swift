public import Foundation

/// One device authorization request (RFC 8628 §3.1–3.2) as the store keeps it: both codes only as
/// SHA-256 hashes (the user code after ``UserCode/normalize(_:)``), what the device asked for, the
/// user's decision, and the polling state that every instance on one database shares.
///
/// Its life: `pending` when the device asks; `approved` (with the grant to create) or `denied` when
/// the user decides on `/device`; `redeemed` when the device's token request consumes it, once.
/// After ``expiresAt`` it answers `expired_token` whatever it is.
public struct DeviceAuthorization: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case pending
        case approved
        case denied
        case redeemed
    }

    /// SHA-256 of the device code, hex-encoded.
    public var deviceCodeHash: String
    /// SHA-256 of the normalized user code, hex-encoded.
    public var userCodeHash: String
    public var clientID: String
    /// The requested scope; once approved, the scope the user allowed.
    public var scope: ScopeSet
    /// The `resource` parameters of the request (RFC 8707), which the token request may narrow.
    public var resources: [String]
    public var createdAt: Date
    public var expiresAt: Date
    /// Seconds the device must wait between polls (RFC 8628 §3.2 `interval`); `slow_down` adds 5.
    public var interval: Int
    /// The last token request for this device code, if any.
    public var lastPolledAt: Date?
    public var status: Status
    /// Set when approved: the id of the grant the redemption creates, its subject and how that
    /// subject was named.
    public var grantID: String?
    public var userID: String?
    public var delegation: Grant.Delegation?

    public init(
        deviceCodeHash: String, userCodeHash: String, clientID: String, scope: ScopeSet, resources: [String] = [], createdAt: Date,
        expiresAt: Date, interval: Int, lastPolledAt: Date? = nil, status: Status = .pending, grantID: String? = nil,
        userID: String? = nil, delegation: Grant.Delegation? = nil
    ) {
        self.deviceCodeHash = deviceCodeHash
        self.userCodeHash = userCodeHash
        self.clientID = clientID
        self.scope = scope
        self.resources = resources
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.interval = interval
        self.lastPolledAt = lastPolledAt
        self.status = status
        self.grantID = grantID
        self.userID = userID
        self.delegation = delegation
    }
}

/// The user's answer on the verification page (RFC 8628 §3.3).
public enum DeviceDecision: Sendable, Hashable {
    /// The user allowed `scope`; the redemption creates the grant `grantID` for `userID`.
    case approved(userID: String, scope: ScopeSet, grantID: String, delegation: Grant.Delegation?)
    case denied
}

/// What one poll of the token endpoint found, after it was recorded.
public struct DevicePoll: Sendable, Hashable {
    /// The row after the poll: its ``DeviceAuthorization/interval`` already grown when too early.
    public var authorization: DeviceAuthorization
    /// The poll came sooner than the interval after the previous one while the request was pending
    /// (RFC 8628 §3.5 `slow_down`).
    public var tooEarly: Bool

    public init(authorization: DeviceAuthorization, tooEarly: Bool) {
        self.authorization = authorization
        self.tooEarly = tooEarly
    }
}
