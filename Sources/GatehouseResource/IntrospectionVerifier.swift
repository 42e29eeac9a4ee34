public import AsyncHTTPClient
public import Foundation
import GatehouseCore
import NIOCore
import NIOHTTP1
import Synchronization

/// Verifies tokens, opaque or JWT, by asking the authorization server (RFC 7662).
///
/// Active answers are cached for ``cacheLifetime`` seconds (`introspection_cache_ttl`), never
/// beyond the token's own expiry: a revocation takes effect here within that delay. The cache is a
/// bounded LRU map keyed by the token's SHA-256, so it holds no token; inactive answers are never
/// cached, so a flood of made-up tokens cannot push the good ones out or pin a token as invalid.
public final class IntrospectionVerifier: AccessTokenVerifier {
    private struct Entry {
        let claims: AccessTokenClaims
        let expiresAt: Date
    }

    public let introspectionURL: String
    public let cacheLifetime: TimeInterval
    private let authorization: String
    private let client: HTTPClient
    private let now: @Sendable () -> Date
    private let cache: Mutex<LRUCache<String, Entry>>

    /// - Parameters:
    ///   - clientID: a confidential client registered with `--can-introspect`.
    ///   - maximumEntries: how many active answers are cached at most.
    public init(
        introspectionURL: String,
        clientID: String,
        clientSecret: String,
        cacheLifetime: TimeInterval = 5,
        maximumEntries: Int = 10_000,
        httpClient: HTTPClient = .shared,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.introspectionURL = introspectionURL
        self.cacheLifetime = cacheLifetime
        // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
        let credentials = "\(Self.formEncode(clientID)):\(Self.formEncode(clientSecret))"
        self.authorization = "Basic " + Data(credentials.utf8).base64EncodedString()
        self.client = httpClient
        self.now = now
        self.cache = Mutex(LRUCache(capacity: maximumEntries))
    }

    public func verify(_ token: String) async throws -> AccessTokenClaims? {
        let key = SecretHasher.hash(token)
        let date = now()
        if let entry = cache.withLock({ $0.value(for: key) }), date < entry.expiresAt {
            return entry.claims
        }
        guard let claims = try await introspect(token) else { return nil }
        var until = date.addingTimeInterval(cacheLifetime)
        if let expiry = claims.expiresAt, expiry < until { until = expiry }
        cache.withLock { $0.set(Entry(claims: claims, expiresAt: until), for: key) }
        return claims
    }

    private func introspect(_ token: String) async throws -> AccessTokenClaims? {
        var request = HTTPClientRequest(url: introspectionURL)
        request.method = .POST
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: "token=\(Self.formEncode(token))&token_type_hint=access_token"))
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw IntrospectionError.unexpectedStatus(Int(response.status.code)) }
        let answer = try JSONDecoder().decode(Answer.self, from: Data(body.readableBytesView))
        // Only access tokens may call an API; a refresh token is not a bearer credential.
        guard answer.active, answer.tokenType.map({ $0.lowercased() == "bearer" }) ?? true, let clientID = answer.clientID else {
            return nil
        }
        return AccessTokenClaims(
            subject: answer.sub ?? clientID, clientID: clientID, scope: ScopeSet(spaceSeparated: answer.scope ?? ""),
            username: answer.username, expiresAt: answer.exp.map { Date(timeIntervalSince1970: TimeInterval($0)) }, tokenID: answer.jti,
            audience: answer.aud?.values ?? [], actor: answer.act.flatMap { TokenActor(subjects: $0.subjects ?? []) }
        )
    }

    private struct Answer: Decodable {
        let active: Bool
        let scope: String?
        let clientID: String?
        let username: String?
        let tokenType: String?
        let exp: Int?
        let sub: String?
        let jti: String?
        let aud: Audience?
        let act: Act?

        enum CodingKeys: String, CodingKey {
            case active, scope, username, exp, sub, jti, aud, act
            case clientID = "client_id"
            case tokenType = "token_type"
        }
    }

    /// RFC 8693 §4.4: `act`, an object with the actor's `sub` and the actors before it nested as
    /// `act`. Read leniently: a malformed or overlong chain is no actor, never a failed verification.
    private final class Act: Decodable {
        let sub: String?
        let act: Act?
        let depth: Int

        enum CodingKeys: String, CodingKey { case sub, act }

        init(from decoder: any Decoder) throws {
            let container = try? decoder.container(keyedBy: CodingKeys.self)
            sub = try? container?.decodeIfPresent(String.self, forKey: .sub)
            act = try? container?.decodeIfPresent(Act.self, forKey: .act)
            depth = 1 + (act?.depth ?? 0)
        }

        /// Every actor's `sub`, current first; `nil` when one lacks it or the chain is too deep.
        var subjects: [String]? {
            guard let sub, depth <= TokenActor.maximumDepth else { return nil }
            guard let act else { return [sub] }
            return act.subjects.map { [sub] + $0 }
        }
    }

    /// RFC 7662 §2.2: `aud` is a string or an array of strings.
    private struct Audience: Decodable {
        let values: [String]

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let single = try? container.decode(String.self) {
                values = [single]
            } else {
                values = try container.decode([String].self)
            }
        }
    }

    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

public enum IntrospectionError: Error, Sendable {
    case unexpectedStatus(Int)
}
