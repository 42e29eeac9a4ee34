public import Foundation

/// A login or consent request handed to the provider's own app (SPEC §10 "Delegated login and
/// consent"), as the store keeps it: the challenge, its verifier and the browser's cookie only as
/// SHA-256 hashes.
///
/// Its life: created when the browser is sent to `login_url` or `consent_url`; decided once by
/// the app's accept or reject, which sets the verifier that `redirect_to` carries; completed once
/// when that browser, and no other, comes back with the verifier. Ten minutes after it was
/// created it is gone for all three.
public struct InteractionChallenge: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case login
        case consent
    }

    public var challengeHash: String
    public var kind: Kind
    /// The hash of the cookie that names the browser which started the request.
    public var browserHash: String
    /// The authorization request's query string, validated afresh when the flow goes on, so that
    /// whatever the request holds travels through the interaction untouched.
    public var requestQuery: String
    /// A login: the subject of the browser's remembered session (`skip`), if any. A consent: the
    /// subject who is asked.
    public var subject: String?
    /// A consent: whether the subject was named by the provider's login app, and its username.
    public var delegation: Grant.Delegation?
    public var createdAt: Date
    public var expiresAt: Date
    /// The app's answer, once given.
    public var decision: InteractionDecision?

    public init(
        challengeHash: String, kind: Kind, browserHash: String, requestQuery: String, subject: String?,
        delegation: Grant.Delegation?, createdAt: Date, expiresAt: Date, decision: InteractionDecision? = nil
    ) {
        self.challengeHash = challengeHash
        self.kind = kind
        self.browserHash = browserHash
        self.requestQuery = requestQuery
        self.subject = subject
        self.delegation = delegation
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.decision = decision
    }
}

/// What the provider's app answered to a login or consent request.
public enum InteractionDecision: Sendable, Hashable, Codable {
    /// The app signed its user in as `subject`; `remember` keeps a browser session for later
    /// requests.
    case loginAccepted(subject: String, username: String?, remember: Bool)
    /// The user allowed `scope` (a subset of the requested scope); `remember` stores the consent.
    case consentAccepted(scope: [String], remember: Bool)
    /// The request ends at the client's redirect URI with `error` (RFC 6749 §4.1.2.1).
    case rejected(error: String, description: String?)
}
