import Crypto
public import Foundation
import Synchronization

/// What the authorization endpoint keeps for a visitor who has not signed in: only the anti-CSRF
/// token of the login form, in a short-lived cookie signed with HMAC-SHA256 (RFC 2104), so that an
/// anonymous visit writes nothing to the database (SPEC §9 "Consent"; issue 9: "no database row
/// for an anonymous visitor"). The server-side session starts at a successful sign-in.
///
/// The signing key is one random 256-bit secret in the shared database, created by whichever
/// instance needs it first, so a cookie made by one instance is accepted by every other. Each
/// instance keeps the key in memory once read.
///
/// Cookie value: `EXPIRES.CSRF.MAC`, `EXPIRES` in Unix seconds, `MAC` base64url of
/// HMAC-SHA256(key, "gatehouse-login-v1|EXPIRES|CSRF").
public final class PreLoginState: Sendable {
    /// The cookie's contents once verified.
    public struct Value: Sendable, Equatable {
        public let csrfToken: String
        public let expiresAt: Date
        public let cookieValue: String
    }

    static let secretName = "pre_login_cookie_key"

    private let secrets: any ServerSecretStore
    /// How long a login form stays usable.
    public let lifetime: TimeInterval
    private let key = Mutex<SymmetricKey?>(nil)

    public init(secrets: any ServerSecretStore, lifetime: TimeInterval = 1800) {
        self.secrets = secrets
        self.lifetime = lifetime
    }

    /// A fresh state with a new CSRF token.
    public func issue(at date: Date) async throws -> Value {
        let csrf = SecretGenerator().make(.csrf)
        let expires = Int(date.addingTimeInterval(lifetime).timeIntervalSince1970.rounded(.down))
        let code = HMAC<SHA256>.authenticationCode(for: Self.message(expires: expires, csrf: csrf), using: try await signingKey())
        let mac = Base64URL.encode(Array(code))
        return Value(csrfToken: csrf, expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)), cookieValue: "\(expires).\(csrf).\(mac)")
    }

    /// The state in a cookie, or `nil` when the cookie is malformed, forged or expired.
    public func verify(_ cookieValue: String, at date: Date) async throws -> Value? {
        let parts = cookieValue.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let expires = Int(parts[0]), let mac = Base64URL.decode(parts[2]) else { return nil }
        let expiresAt = Date(timeIntervalSince1970: TimeInterval(expires))
        guard date < expiresAt else { return nil }
        let csrf = String(parts[1])
        // CryptoKit's isValidAuthenticationCode compares in constant time.
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Self.message(expires: expires, csrf: csrf), using: try await signingKey())
        else { return nil }
        return Value(csrfToken: csrf, expiresAt: expiresAt, cookieValue: cookieValue)
    }

    private static func message(expires: Int, csrf: String) -> [UInt8] {
        Array("gatehouse-login-v1|\(expires)|\(csrf)".utf8)
    }

    private func signingKey() async throws -> SymmetricKey {
        if let cached = key.withLock({ $0 }) { return cached }
        let candidate = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let stored = SymmetricKey(data: try await secrets.serverSecret(named: Self.secretName, candidate: candidate))
        key.withLock { $0 = stored }
        return stored
    }
}
