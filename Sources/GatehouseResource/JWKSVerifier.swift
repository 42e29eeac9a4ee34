public import AsyncHTTPClient
public import Crypto
public import Foundation
public import GatehouseCore
import NIOCore
import NIOHTTP1
import Synchronization

/// Verifies JWT access tokens (RFC 9068) locally against the authorization server's JWKS.
///
/// The key set is fetched once and cached for ``cacheLifetime``; a token signed with a `kid` the
/// cache does not know (a key rotation) triggers a refetch, at most once per
/// ``minimumRefetchInterval``, so a flood of forged `kid`s cannot turn into a flood of requests.
/// A token that verified once is remembered by its SHA-256 until it expires (or ``cacheLifetime``
/// passes), so an API pays the ECDSA verification (about 0.1 ms) once per token, not per request.
/// A revoked JWT stays valid here until it expires: use ``IntrospectionVerifier`` where revocation
/// must take effect at once.
public final class JWKSVerifier: AccessTokenVerifier {
    private struct Cache {
        var keys: [String: P256.Signing.PublicKey] = [:]
        var fetchedAt: Date?
    }

    public let jwksURL: String
    public let issuer: String
    public let audience: String
    public let cacheLifetime: TimeInterval
    public let minimumRefetchInterval: TimeInterval
    private let client: HTTPClient
    private let now: @Sendable () -> Date
    private let cache = Mutex(Cache())
    private let verified = Mutex<[String: (claims: AccessTokenClaims, until: Date)]>([:])
    private let maximumVerified = 10_000

    public init(
        jwksURL: String,
        issuer: String,
        audience: String,
        cacheLifetime: TimeInterval = 300,
        minimumRefetchInterval: TimeInterval = 10,
        httpClient: HTTPClient = .shared,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.jwksURL = jwksURL
        self.issuer = issuer
        self.audience = audience
        self.cacheLifetime = cacheLifetime
        self.minimumRefetchInterval = minimumRefetchInterval
        self.client = httpClient
        self.now = now
    }

    public func verify(_ token: String) async throws -> AccessTokenClaims? {
        let date = now()
        let digest = SecretHasher.hash(token)
        if let remembered = verified.withLock({ $0[digest] }), date < remembered.until {
            return remembered.claims
        }
        let claims: JWTAccessToken.Claims
        do {
            claims = try await JWTAccessToken.verify(token, issuer: issuer, audience: audience, now: date) { kid in
                try await self.publicKey(kid: kid)
            }
        } catch {
            return nil
        }
        let expiresAt = Date(timeIntervalSince1970: TimeInterval(claims.expiresAt))
        let result = AccessTokenClaims(
            subject: claims.subject, clientID: claims.clientID, scope: claims.scope, expiresAt: expiresAt, tokenID: claims.tokenID
        )
        verified.withLock { entries in
            if entries.count >= maximumVerified { entries.removeAll(keepingCapacity: true) }
            entries[digest] = (result, min(expiresAt, date.addingTimeInterval(cacheLifetime)))
        }
        return result
    }

    /// Puts keys in the cache as if fetched now, for benchmarks and embedders that ship keys.
    package func preload(keys: [String: P256.Signing.PublicKey]) {
        cache.withLock { $0 = Cache(keys: keys, fetchedAt: now()) }
    }

    /// The key for `kid`, refetching the set when it is stale or lacks the kid (rate-limited).
    func publicKey(kid: String) async throws -> P256.Signing.PublicKey? {
        let date = now()
        let (known, fetchedAt) = cache.withLock { ($0.keys[kid], $0.fetchedAt) }
        let fresh = fetchedAt.map { date.timeIntervalSince($0) < cacheLifetime } ?? false
        if let known, fresh { return known }
        if let fetchedAt, date.timeIntervalSince(fetchedAt) < minimumRefetchInterval { return known }
        let keys = try await fetch()
        cache.withLock { $0 = Cache(keys: keys, fetchedAt: date) }
        return keys[kid]
    }

    private func fetch() async throws -> [String: P256.Signing.PublicKey] {
        let response = try await client.execute(HTTPClientRequest(url: jwksURL), timeout: .seconds(10))
        guard response.status == .ok else { throw JWKSError.unexpectedStatus(Int(response.status.code)) }
        let body = try await response.body.collect(upTo: 1 << 20)
        let set = try JSONDecoder().decode(JWKSet.self, from: Data(body.readableBytesView))
        var keys: [String: P256.Signing.PublicKey] = [:]
        for key in set.keys where key.kty == "EC" && key.crv == "P-256" {
            if let kid = key.kid, let x = key.x, let y = key.y, let publicKey = JWK.publicKey(x: x, y: y) {
                keys[kid] = publicKey
            }
        }
        return keys
    }

    private struct JWKSet: Decodable {
        struct Key: Decodable {
            let kty: String
            let crv: String?
            let kid: String?
            let x: String?
            let y: String?
        }
        let keys: [Key]
    }
}

public enum JWKSError: Error, Sendable {
    case unexpectedStatus(Int)
}
