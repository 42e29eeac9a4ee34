import GatehouseCore
import Testing

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

    @Test("generated secrets carry their prefix and 256 bits")
    func secrets() {
        let generator = SecretGenerator()
        for kind in TokenKind.allCases {
            let secret = generator.make(kind)
            #expect(secret.hasPrefix(kind.prefix))
            #expect(secret.count == kind.prefix.count + 43)
        }
        #expect(generator.make(.accessToken) != generator.make(.accessToken))
        #expect(generator.makeIdentifier().count == 32)
    }

    @Test("secret hashes are SHA-256 hex and verify in constant time")
    func hashing() {
        #expect(SecretHasher.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SecretHasher.verify("abc", against: SecretHasher.hash("abc")))
        #expect(!SecretHasher.verify("abd", against: SecretHasher.hash("abc")))
        #expect(!SecretHasher.constantTimeEquals([1, 2], [1, 2, 3]))
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
