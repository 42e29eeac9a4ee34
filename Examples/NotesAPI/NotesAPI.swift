import ArgumentParser
import GatehouseCore
import GatehouseResource
import Hummingbird
import Logging

/// An API that is not Gatehouse, protected by `GatehouseResource` against a running Gatehouse.
///
/// ```sh
/// # JWT mode checks JWT access tokens only: create the client with --token-format jwt (or run
/// # Gatehouse with access_token_format: jwt); opaque gtha_ tokens need introspection mode.
/// gatehouse-example-notes --issuer http://127.0.0.1:8080 --mode jwt
/// gatehouse-example-notes --issuer http://127.0.0.1:8080 --mode introspection --client-id ID --client-secret SECRET
/// curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:9100/notes
/// # As the resource https://notes.example.com (listed in Gatehouse's resources): only tokens
/// # requested with resource=https://notes.example.com pass, and RFC 9728 metadata is served.
/// gatehouse-example-notes --issuer http://127.0.0.1:8080 --resource https://notes.example.com
/// curl http://127.0.0.1:9100/.well-known/oauth-protected-resource
/// ```
@main
struct NotesAPI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse-example-notes",
        abstract: "An example API whose GET /notes needs a Gatehouse token with scope read."
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case jwt, introspection
    }

    @Option(help: "The Gatehouse issuer, e.g. http://127.0.0.1:8080.")
    var issuer: String

    @Option(
        help: """
            jwt: verify JWT access tokens locally against the JWKS (the client needs --token-format jwt; opaque gtha_ tokens are \
            refused); introspection: ask Gatehouse (RFC 7662), for either format.
            """
    )
    var mode: Mode = .jwt

    @Option(help: "A --can-introspect client of Gatehouse (introspection mode).")
    var clientID: String?

    @Option(help: "Its secret (introspection mode).")
    var clientSecret: String?

    @Option(help: "Seconds an introspection answer may be reused.")
    var cacheTTL: Double = 5

    @Option(help: "Port to listen on, on 127.0.0.1.")
    var port: Int = 9100

    @Option(
        help: """
            This API's resource identifier (RFC 8707), listed in Gatehouse's resources: tokens must name it in aud, and its             metadata (RFC 9728) is served.
            """
    )
    var resource: String?

    func run() async throws {
        let protected = resource.map { ProtectedResource(identifier: $0, authorizationServers: [issuer], scopesSupported: ["read"]) }
        let verifier: any AccessTokenVerifier
        switch mode {
        case .jwt:
            // As a resource, the middleware checks aud; otherwise tokens are for Gatehouse's default audience.
            verifier = JWKSVerifier(jwksURL: "\(issuer)/oauth2/jwks", issuer: issuer, audience: protected == nil ? issuer : nil)
        case .introspection:
            guard let clientID, let clientSecret else {
                throw ValidationError("introspection mode needs --client-id and --client-secret")
            }
            verifier = IntrospectionVerifier(
                introspectionURL: "\(issuer)/oauth2/introspect", clientID: clientID, clientSecret: clientSecret, cacheLifetime: cacheTTL
            )
        }
        let router = Router(context: NotesContext.self)
        router.get("/healthz") { _, _ in "ok" }
        if let protected {
            router.addProtectedResourceMetadata(protected)
        }
        router.group("/notes")
            .add(middleware: BearerTokenMiddleware<NotesContext>(verifier: verifier, realm: "notes", scope: ["read"], resource: protected))
            .get { _, context -> String in
                let owner = context.accessToken?.username ?? context.accessToken?.subject ?? "nobody"
                return #"{"owner":"\#(owner)","notes":["Buy milk","Rotate the signing key"]}"#
            }
        var logger = Logger(label: "notes-api")
        logger.logLevel = .warning
        if mode == .jwt {
            logger.warning("JWT mode: tokens must be JWTs (a client created with --token-format jwt); use --mode introspection for opaque gtha_ tokens")
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        try await app.runService()
    }
}

struct NotesContext: RequestContext, BearerTokenRequestContext {
    var coreContext: CoreRequestContextStorage
    var accessToken: AccessTokenClaims?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        accessToken = nil
    }
}
