import Crypto
import Foundation
import GatehouseCore
import Testing

@Suite("JWT access tokens and keys")
struct JWTTests {
    let key = SigningKey.generate(now: Date(timeIntervalSince1970: 1_800_000_000))
    let now = Date(timeIntervalSince1970: 1_800_000_100)

    func claims(expiresAt: Int = 1_800_003_600, audience: String = "https://api.example") -> JWTAccessToken.Claims {
        JWTAccessToken.Claims(
            issuer: "https://as.example", subject: "user-1", audience: audience, expiresAt: expiresAt, issuedAt: 1_800_000_000,
            tokenID: "jti-1", clientID: "client-1", scope: ["read", "profile"]
        )
    }

    func verify(_ token: String, audience: String = "https://api.example") async throws(JWTAccessToken.VerificationError) -> JWTAccessToken.Claims {
        let publicKey = key.privateKey.publicKey
        let kid = key.kid
        return try await JWTAccessToken.verify(token, issuer: "https://as.example", audience: audience, now: now) { candidate in
            candidate == kid ? publicKey : nil
        }
    }

    @Test("a signed token verifies and round-trips its claims")
    func roundTrip() async throws {
        let token = try JWTAccessToken.sign(claims(), with: key)
        #expect(token.split(separator: ".").count == 3)
        #expect(try await verify(token) == claims())
    }

    @Test(
        "tampered or unacceptable tokens are refused",
        arguments: ["payload", "signature", "alg none", "typ JWT", "expired", "audience", "garbage", "unknown kid"]
    )
    func refusals(change: String) async throws {
        var token = try JWTAccessToken.sign(claims(), with: key)
        var parts = token.split(separator: ".").map(String.init)
        func header(_ json: String) -> String { Base64URL.encode(Array(json.utf8)) }
        var audience = "https://api.example"
        switch change {
        case "payload": parts[1] = Base64URL.encode(Array(#"{"iss":"https://as.example","sub":"admin"}"#.utf8))
        case "signature": parts[2] = String(parts[2].reversed())
        case "alg none": parts[0] = header(#"{"alg":"none","kid":"\#(key.kid)","typ":"at+jwt"}"#)
        case "typ JWT": parts[0] = header(#"{"alg":"ES256","kid":"\#(key.kid)","typ":"JWT"}"#)
        case "expired": parts = try JWTAccessToken.sign(claims(expiresAt: 1_800_000_050), with: key).split(separator: ".").map(String.init)
        case "audience": audience = "https://other.example"
        case "unknown kid": parts[0] = header(#"{"alg":"ES256","kid":"other","typ":"at+jwt"}"#)
        default: parts = ["not", "a"]
        }
        token = parts.joined(separator: ".")
        await #expect(throws: JWTAccessToken.VerificationError.self) { try await verify(token, audience: audience) }
    }

    @Test("the JWK carries the public key's coordinates")
    func jwk() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(key.publicJWK.utf8)) as? [String: String])
        #expect(json["kty"] == "EC" && json["crv"] == "P-256" && json["alg"] == "ES256" && json["kid"] == key.kid)
        let restored = try #require(JWK.publicKey(x: json["x"] ?? "", y: json["y"] ?? ""))
        #expect(restored.rawRepresentation == key.privateKey.publicKey.rawRepresentation)
    }

    @Test("sealed keys open only with the same secret")
    func keyEncryption() throws {
        let sealing = KeyEncryption(secret: "correct")
        let sealed = try sealing.seal(key.privateKey)
        #expect(sealed.hasPrefix("aesgcm2:"))
        #expect(try sealing.open(sealed).rawRepresentation == key.privateKey.rawRepresentation)
        #expect(throws: KeyEncryptionError.self) { try KeyEncryption(secret: "wrong").open(sealed) }
        #expect(throws: KeyEncryptionError.self) { try KeyEncryption(secret: nil).open(sealed) }
        let plain = try KeyEncryption(secret: nil).seal(key.privateKey)
        #expect(plain.hasPrefix("plain:"))
    }

    @Test("a new key is published before it signs; the old one stays published until its last token expired")
    func publicationWindow() async throws {
        let store = MemoryKeyStore()
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let ring = KeyRing(store: store, encryption: KeyEncryption(secret: nil), refreshInterval: 60, accessTokenLifetime: 3600, now: clock.read)
        let first = try await ring.signingKey()
        clock.advance(by: 10)
        let second = try await ring.rotate()
        // Published at once, signing only after two refresh intervals.
        #expect(try await ring.publishedKeys().map(\.kid) == [first.kid, second.kid])
        #expect(try await ring.signingKey().kid == first.kid)
        clock.advance(by: 120)
        _ = try await ring.keys(forceReload: true)
        #expect(try await ring.signingKey().kid == second.kid)
        clock.advance(by: 60 + 3600 - 1)
        _ = try await ring.keys(forceReload: true)
        #expect(try await ring.publishedKeys().map(\.kid) == [first.kid, second.kid])
        clock.advance(by: 2)
        #expect(try await ring.publishedKeys().map(\.kid) == [second.kid])
    }
}

/// A signing-key store in memory, for key-ring tests.
final class MemoryKeyStore: SigningKeyStore, @unchecked Sendable {
    private let lock = NSLock()
    private var keys: [StoredSigningKey] = []

    func signingKeys() async throws -> [StoredSigningKey] { lock.withLock { keys } }
    func insertSigningKey(_ key: StoredSigningKey) async throws { lock.withLock { keys.append(key) } }
}

/// A clock the test moves by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var date: Date

    init(_ date: Date) { self.date = date }

    var read: @Sendable () -> Date { { [self] in lock.withLock { date } } }

    func advance(by seconds: TimeInterval) { lock.withLock { date.addTimeInterval(seconds) } }
}
