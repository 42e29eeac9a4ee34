import Crypto
import Foundation
import GatehouseCore
import GatehouseResource

/// Micro-benchmarks of the work one request does, without HTTP: `swift run -c release gatehouse-microbench`.
///
/// The middleware's local JWT check is what an API pays per request in JWT mode; its target is
/// under 50 µs. The first sight of a token costs a full ES256 verification; later requests with the
/// same token hit the verifier's cache. Each measurement runs a warm-up, then enough iterations for a second or so, and
/// reports the median of five rounds (the machines are shared).
@main
enum MicroBenchmarks {
    static func main() async throws {
        try await run()
    }

    nonisolated static func run() async throws {
        let key = SigningKey.generate(now: Date())
        let publicKey = key.privateKey.publicKey
        let now = Date()
        let claims = JWTAccessToken.Claims(
            issuer: "https://as.example", subject: "user-1", audience: "https://as.example",
            expiresAt: Int(now.timeIntervalSince1970) + 3600, issuedAt: Int(now.timeIntervalSince1970),
            tokenID: "0123456789abcdef0123456789abcdef", clientID: "client-1", scope: ["profile", "read"]
        )
        let token = try JWTAccessToken.sign(claims, with: key)
        let kid = key.kid

        print("| operation | µs per operation (median of 5 rounds) |")
        print("|---|---:|")
        try await measure("JWT access token: verify (ES256, header and claims)", iterations: 5_000) {
            let verified = try await JWTAccessToken.verify(token, issuer: "https://as.example", audience: "https://as.example", now: now) {
                $0 == kid ? publicKey : nil
            }
            precondition(verified.subject == "user-1")
        }
        let verifier = JWKSVerifier(jwksURL: "http://127.0.0.1:1/unused", issuer: "https://as.example", audience: "https://as.example")
        verifier.preload(keys: [kid: publicKey])
        _ = try await verifier.verify(token)
        try await measure("GatehouseResource JWKSVerifier: a token seen before (the per-request cost)", iterations: 200_000) {
            let verified = try await verifier.verify(token)
            precondition(verified != nil)
        }
        try await measure("JWT access token: sign (ES256)", iterations: 5_000) {
            _ = try JWTAccessToken.sign(claims, with: key)
        }
        try await measure("opaque token: generate and hash", iterations: 50_000) {
            _ = SecretHasher.hash(SecretGenerator().make(.accessToken))
        }
        try await measure("form body: parse a token request", iterations: 50_000) {
            _ = try RequestParameters(formEncoded: Array("grant_type=client_credentials&scope=read+write".utf8))
        }
    }

    nonisolated static func measure(_ name: String, iterations: Int, _ body: @Sendable () async throws -> Void) async throws {
        for _ in 0..<(iterations / 10) { try await body() }
        var rounds: [Double] = []
        for _ in 0..<5 {
            let start = ContinuousClock.now
            for _ in 0..<iterations { try await body() }
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            rounds.append(seconds / Double(iterations) * 1e6)
        }
        let median = rounds.sorted()[2]
        print("| \(name) | \(String(format: "%.2f", median)) |")
    }
}
