import Benchmark
import Foundation
import GatehouseCore
import GatehouseResource

/// The work one request does, without HTTP. Allocation counts barely vary and are checked closely
/// against `Thresholds/` (a change in them is a change in the code); times are checked loosely,
/// since the machines are shared. Names hold no spaces: package-benchmark writes threshold
/// files with spaces replaced but looks them up without.
let benchmarks: @Sendable () -> Void = {
    let timed = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .microseconds,
        warmupIterations: 100,
        maxDuration: .seconds(2),
        maxIterations: 100_000,
        thresholds: [
            // Checks against Thresholds/ compare p90 only. Allocations within 10 % (exact for the
            // small counts; Foundation's JSON parsing in JWT verification varies by a few). Time
            // varies 2-3x on these shared machines, so only a 4x slowdown fails: the traps found so
            // far (hex via String(format:), random bytes one at a time) cost 10-100x.
            .mallocCountTotal: BenchmarkThresholds(relative: [.p90: 10]),
            .wallClock: BenchmarkThresholds(relative: [.p90: 300]),
            .throughput: BenchmarkThresholds(),
        ]
    )
    let fixture = TokenFixture()

    Benchmark("JWT-verify-ES256", configuration: timed) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await fixture.verifyDirectly())
        }
    }
    Benchmark("Resource-middleware-repeated-JWT", configuration: timed) { benchmark in
        let verifier = try await fixture.warmVerifier()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await verifier.verify(fixture.token))
        }
    }
    Benchmark("JWT-sign-ES256", configuration: timed) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JWTAccessToken.sign(fixture.claims, with: fixture.key))
        }
    }
    Benchmark("Opaque-token-generate-and-hash", configuration: timed) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(SecretHasher.hash(SecretGenerator().make(.accessToken)))
        }
    }
    Benchmark("SHA-256-of-a-token", configuration: timed) { benchmark in
        let token = SecretGenerator().make(.accessToken)
        for _ in benchmark.scaledIterations {
            blackHole(SecretHasher.hash(token))
        }
    }
    Benchmark("Form-body-parse-token-request", configuration: timed) { benchmark in
        let body = Array("grant_type=client_credentials&scope=read+write".utf8)
        for _ in benchmark.scaledIterations {
            blackHole(try RequestParameters(formEncoded: body))
        }
    }
}

/// One signing key and one signed token, shared by the JWT benchmarks.
struct TokenFixture: Sendable {
    static let issuer = "https://as.example"
    let key = SigningKey.generate(now: Date())
    let now = Date()
    let claims: JWTAccessToken.Claims
    let token: String

    init() {
        let seconds = Int(now.timeIntervalSince1970)
        claims = JWTAccessToken.Claims(
            issuer: Self.issuer, subject: "user-1", audience: Self.issuer, expiresAt: seconds + 3600, issuedAt: seconds,
            tokenID: "0123456789abcdef0123456789abcdef", clientID: "client-1", scope: ["profile", "read"]
        )
        token = (try? JWTAccessToken.sign(claims, with: key)) ?? ""
    }

    func verifyDirectly() async throws -> JWTAccessToken.Claims {
        let kid = key.kid
        let publicKey = key.privateKey.publicKey
        return try await JWTAccessToken.verify(token, issuer: Self.issuer, audience: Self.issuer, now: now) { $0 == kid ? publicKey : nil }
    }

    /// A verifier that has fetched the key from a local JWKS endpoint and verified the token once,
    /// as the resource middleware is after a token's first request.
    func warmVerifier() async throws -> JWKSVerifier {
        let url = try await JWKSEndpoint.shared.start(serving: "{\"keys\":[\(key.publicJWK)]}")
        let verifier = JWKSVerifier(jwksURL: url, issuer: Self.issuer, audience: Self.issuer)
        guard try await verifier.verify(token) != nil else { throw FixtureError.notVerified }
        return verifier
    }

    enum FixtureError: Error {
        case notVerified
    }
}
