import Crypto
import Foundation
import Testing

@testable import GatehouseCore

@Suite("Encodings, secrets and scopes")
struct EncodingTests {
    @Test("base64 round trip, strict about the alphabet", arguments: ["", "f", "fo", "foo", "foob", "fooba", "foobar"])
    func base64(text: String) {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        #expect(Base64.decode(vectors[text] ?? "") == Array(text.utf8))
    }

    @Test("malformed base64 is refused", arguments: ["Zg", "Z===", "Zm9v!", "Zg==Zg==", "Zm9vY"])
    func badBase64(input: String) {
        #expect(Base64.decode(input) == nil)
    }

    @Test("base64url without padding (RFC 4648 §5)")
    func base64URL() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.encode(Array("foobar".utf8)) == "Zm9vYmFy")
    }

    @Test("generated secrets carry their prefix, their issue stamp and 256 random bits")
    func secrets() throws {
        let generator = SecretGenerator()
        let pattern = try Regex("^gth[a-z]_[0-9a-f]{12}[A-Za-z0-9_-]{43}$")
        for kind in TokenKind.allCases {
            let secret = generator.make(kind)
            #expect(secret.hasPrefix(kind.prefix))
            #expect(secret.wholeMatch(of: pattern) != nil, "\(secret)")
        }
        #expect(generator.make(.accessToken) != generator.make(.accessToken))
        #expect(generator.makeIdentifier().count == 32)
        #expect(generator.makeOrderedIdentifier().wholeMatch(of: try Regex("[0-9a-f]{32}")) != nil)
    }

    @Test("issue stamps are milliseconds in hex and sort in time order")
    func issueStamps() {
        let earlier = IssueStamp.stamp(at: Date(timeIntervalSince1970: 1_796_440_679.123))
        let later = IssueStamp.stamp(at: Date(timeIntervalSince1970: 1_796_440_679.124))
        #expect(earlier == "01a2443562d3")
        #expect(earlier < later)
        #expect(IssueStamp.stamp(at: Date(timeIntervalSince1970: 0)) == "000000000000")
    }

    @Test("secret hashes are SHA-256 hex and verify in constant time")
    func hashing() {
        #expect(SecretHasher.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SecretHasher.verify("abc", against: SecretHasher.hash("abc")))
        #expect(!SecretHasher.verify("abd", against: SecretHasher.hash("abc")))
        #expect(!SecretHasher.constantTimeEquals([1, 2], [1, 2, 3]))
    }

    @Test("a stamped secret is stored under its stamp and the digest of all of it; an older one under its digest")
    func stampedHashing() {
        let stamped = "gtha_01a2443562d3" + String(repeating: "A", count: 43)
        let digest = Hex.encode(SHA256.hash(data: Array(stamped.utf8)))
        #expect(SecretHasher.hash(stamped) == "01a2443562d3" + digest)
        #expect(SecretHasher.verify(stamped, against: "01a2443562d3" + digest))
        #expect(!SecretHasher.verify(stamped, against: digest))
        // Made before stamps: 43 characters after the prefix, stored by digest alone.
        let unstamped = "gtha_" + String(repeating: "A", count: 43)
        #expect(SecretHasher.hash(unstamped) == Hex.encode(SHA256.hash(data: Array(unstamped.utf8))))
        // Not a stamp: upper-case hex, or a wrong separator, leaves the plain digest.
        for other in ["gtha_01A2443562D3" + String(repeating: "A", count: 43), "gtha-01a2443562d3" + String(repeating: "A", count: 43)] {
            #expect(SecretHasher.hash(other) == Hex.encode(SHA256.hash(data: Array(other.utf8))))
        }
        let generator = SecretGenerator()
        let first = generator.make(.refreshToken)
        let second = generator.make(.refreshToken)
        #expect(SecretHasher.hash(first).prefix(12) <= SecretHasher.hash(second).prefix(12))
    }

    @Test("scopes parse per RFC 6749 §3.3")
    func scopes() throws {
        #expect(try ScopeSet(parsing: "read  write read").tokens == ["read", "write"])
        #expect(throws: OAuthError.self) { try ScopeSet(parsing: "re\"ad") }
        #expect(throws: OAuthError.self) { try ScopeSet(parsing: "caf\u{E9}") }
        #expect(ScopeSet(["read"]).isSubset(of: ["read", "write"]))
        #expect(!ScopeSet(["admin"]).isSubset(of: ["read", "write"]))
    }
}
