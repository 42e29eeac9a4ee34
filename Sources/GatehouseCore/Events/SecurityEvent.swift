public import Foundation

/// Something that happened to a token, a client, a sign-in or a key, for the audit log and the
/// metrics (SPEC §9). The core reports events; the server decides where they go.
///
/// An event never carries a token, code, secret, password or the username of a failed sign-in.
public struct SecurityEvent: Sendable, Hashable {
    /// The audit log's `event` names.
    public struct Kind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let tokenIssued = Self(rawValue: "token.issued")
        public static let tokenRevoked = Self(rawValue: "token.revoked")
        public static let refreshReuseDetected = Self(rawValue: "refresh.reuse_detected")
        public static let codeReplayed = Self(rawValue: "code.replayed")
        public static let clientAuthenticationFailed = Self(rawValue: "client.authentication_failed")
        public static let signInSucceeded = Self(rawValue: "sign_in.succeeded")
        public static let signInFailed = Self(rawValue: "sign_in.failed")
        public static let rateLimited = Self(rawValue: "rate_limited")
        public static let consentGranted = Self(rawValue: "consent.granted")
        public static let consentDenied = Self(rawValue: "consent.denied")
        public static let clientCreated = Self(rawValue: "client.created")
        public static let clientUpdated = Self(rawValue: "client.updated")
        public static let clientDeleted = Self(rawValue: "client.deleted")
        public static let clientSecretRotated = Self(rawValue: "client.secret_rotated")
        public static let keysRotated = Self(rawValue: "keys.rotated")
    }

    public enum Outcome: String, Sendable, Hashable {
        case success
        case failure
    }

    public var kind: Kind
    public var outcome: Outcome
    public var time: Date
    public var clientID: String?
    /// The user's id, or the client's for a `client_credentials` token.
    public var subject: String?
    public var grantID: String?
    /// The client's address as SPEC §9 decides it.
    public var address: String?
    /// Why: a revocation reason (`revocation`, `reuse`, `code_replay`, `admin`), a limit's name, a
    /// failure's kind. Never secret.
    public var reason: String?
    /// For `token.issued`: the grant type and the token format, the labels of
    /// `gatehouse_tokens_issued_total`.
    public var grantType: String?
    public var tokenFormat: String?
    /// For `token.revoked`: how many tokens went.
    public var count: Int?

    public init(
        _ kind: Kind, outcome: Outcome = .success, time: Date, clientID: String? = nil, subject: String? = nil,
        grantID: String? = nil, address: String? = nil, reason: String? = nil, grantType: String? = nil,
        tokenFormat: String? = nil, count: Int? = nil
    ) {
        self.kind = kind
        self.outcome = outcome
        self.time = time
        self.clientID = clientID
        self.subject = subject
        self.grantID = grantID
        self.address = address
        self.reason = reason
        self.grantType = grantType
        self.tokenFormat = tokenFormat
        self.count = count
    }
}

/// Receives security events; must not block (the audit writer and the metrics queue their work).
public protocol SecurityEventSink: Sendable {
    func record(_ event: SecurityEvent)
}

/// Drops every event: for embedding without an audit log, and for tests that do not look.
public struct DiscardingSecurityEventSink: SecurityEventSink {
    public init() {}
    public func record(_ event: SecurityEvent) {}
}
