public import AsyncHTTPClient
package import Crypto
public import Foundation
import GatehouseCore
import NIOCore
import NIOHTTP1
import Synchronization

/// Verifies JWT access tokens (RFC 9068) locally against the authorization server's JWKS.
///
/// The key set is fetched once and cached for ``cacheLifetime``; a token signed with a `kid` the
/// cache does not know (a key rotation) triggers a refetch, at most once per
/// ``minimumRefetchInterval`` — failed attempts count too — so a flood of forged `kid`s or an
/// authorization server that is down cannot turn into a flood of requests. One fetch is in flight
/// at a time; concurrent requests wait for it. When a refetch fails, the keys already known keep
/// serving; only when no key can be had at all does ``verify(_:)`` throw ``JWKSError`` (the
/// middleware answers 503 rather than calling valid tokens invalid).
///
/// A token that verified once is remembered by its SHA-256 until it expires (or ``cacheLifetime``
/// passes), in a bounded LRU map that holds only positive answers, so an API pays the ECDSA
/// verification (about 0.1 ms) once per token, not per request, and forged tokens cannot evict
/// the good ones en masse or be remembered. A revoked JWT stays valid here until it expires: use
/// ``IntrospectionVerifier`` where revocation must take effect at once.
public final class JWKSVerifier: AccessTokenVerifier {
    private struct Cache {
        var keys: [String: P256.Signing.PublicKey] = [:]
        /// When the keys were last fetched successfully.
        var fetchedAt: Date?
        /// When a fetch was last attempted, successful or not: the refetch limit counts from here.
        var attemptedAt: Date?
        var inFlight: Task<[String: P256.Signing.PublicKey], any Error>?
    }

    public let jwksURL: String
    public let issuer: String
    /// A value `aud` must contain, or `nil` to leave the audience to the middleware's
    /// ``ProtectedResource``.
    public let audience: String?
    public let cacheLifetime: TimeInterval
    public let minimumRefetchInterval: TimeInterval
    private let client: HTTPClient
    private let now: @Sendable () -> Date
    private let cache = Mutex(Cache())
    private let verified: Mutex<LRUCache<String, (claims: AccessTokenClaims, until: Date)>>

    /// - Parameters:
    ///   - audience: a value the token's `aud` must contain (RFC 9068 §4). Pass `nil` only when the
    ///     ``BearerTokenMiddleware`` is given a ``ProtectedResource``, which checks `aud` instead;
    ///     without either, a token issued for any other resource of the same server would pass.
    ///   - maximumRemembered: how many verified tokens are remembered at most.
    public init(
        jwksURL: String,
        issuer: String,
        audience: String?,
        cacheLifetime: TimeInterval = 300,
        minimumRefetchInterval: TimeInterval = 10,
        maximumRemembered: Int = 10_000,
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
        self.verified = Mutex(LRUCache(capacity: maximumRemembered))
    }

    /// - Throws: ``JWKSError/keysUnavailable`` when no key is known and the JWKS cannot be fetched.
    public func verify(_ token: String) async throws -> AccessTokenClaims? {
        let date = now()
        let digest = SecretHasher.hash(token)
        if let remembered = verified.withLock({ $0.value(for: digest) }), date < remembered.until {
            return remembered.claims
        }
        let claims: JWTAccessToken.Claims
        var unavailable = false
        do {
            claims = try await JWTAccessToken.verify(token, issuer: issuer, audience: audience, now: date) { kid in
                do {
                    return try await self.publicKey(kid: kid)
                } catch {
                    unavailable = true
                    return nil
                }
            }
        } catch {
            if unavailable { throw JWKSError.keysUnavailable }
            return nil
        }
        let expiresAt = Date(timeIntervalSince1970: TimeInterval(claims.expiresAt))
        let result = AccessTokenClaims(
            subject: claims.subject, clientID: claims.clientID, scope: claims.scope, expiresAt: expiresAt, tokenID: claims.tokenID,
            audience: claims.audience, actor: claims.actor
        )
        verified.withLock { $0.set((result, min(expiresAt, date.addingTimeInterval(cacheLifetime))), for: digest) }
        return result
    }

    /// Puts keys in the cache as if fetched now, for benchmarks and embedders that ship keys.
    package func preload(keys: [String: P256.Signing.PublicKey]) {
        let date = now()
        cache.withLock { $0 = Cache(keys: keys, fetchedAt: date, attemptedAt: date) }
    }

    /// The key for `kid`, refetching the set when it is stale or lacks the kid (rate-limited).
    /// - Throws: when the set cannot be fetched and no key at all is known.
    func publicKey(kid: String) async throws -> P256.Signing.PublicKey? {
        let date = now()
        enum Step {
            case answer(P256.Signing.PublicKey?)
            case unavailable
            case wait(Task<[String: P256.Signing.PublicKey], any Error>)
        }
        let step: Step = cache.withLock { cache in
            let known = cache.keys[kid]
            let fresh = cache.fetchedAt.map { date.timeIntervalSince($0) < cacheLifetime } ?? false
            if let known, fresh { return .answer(known) }
            if let inFlight = cache.inFlight { return .wait(inFlight) }
            if let attemptedAt = cache.attemptedAt, date.timeIntervalSince(attemptedAt) < minimumRefetchInterval {
                return cache.keys.isEmpty ? .unavailable : .answer(known)
            }
            cache.attemptedAt = date
            let task = Task { try await self.fetch() }
            cache.inFlight = task
            return .wait(task)
        }
        switch step {
        case .answer(let key):
            return key
        case .unavailable:
            throw JWKSError.keysUnavailable
        case .wait(let task):
            do {
                let keys = try await task.value
                cache.withLock { cache in
                    if cache.inFlight == task {
                        cache.keys = keys
                        cache.fetchedAt = date
                        cache.inFlight = nil
                    }
                }
                return keys[kid]
            } catch {
                // Keep serving the keys already known; without any, the caller answers 503.
                let known = cache.withLock { cache in
                    if cache.inFlight == task { cache.inFlight = nil }
                    return (cache.keys[kid], cache.keys.isEmpty)
                }
                if known.1 { throw JWKSError.keysUnavailable }
                return known.0
            }
        }
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
    /// No signing key is known and the JWKS cannot be fetched.
    case keysUnavailable
}
