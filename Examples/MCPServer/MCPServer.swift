import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseResource
import HTTPTypes
import Hummingbird
import Logging

/// An MCP server whose tools need a Gatehouse access token addressed to it (RFC 8707), the shape
/// MCP's authorization specification asks for: a client without a token gets a 401 naming the
/// server's protected resource metadata (RFC 9728), finds Gatehouse there, registers itself
/// (RFC 7591) and runs the code flow with PKCE and `resource`.
///
/// ```sh
/// gatehouse clients create --name mcp-server --can-introspect --grant-type client_credentials --json
/// GATEHOUSE_REGISTRATION=open GATEHOUSE_RESOURCES=http://127.0.0.1:9300/mcp gatehouse serve
/// gatehouse-example-mcp --issuer http://127.0.0.1:8080 --client-id ID --client-secret SECRET
/// ```
@main
struct MCPServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse-example-mcp",
        abstract: "An example MCP server (streamable HTTP at /mcp) protected by Gatehouse."
    )

    @Option(help: "The Gatehouse issuer, e.g. http://127.0.0.1:8080.")
    var issuer: String

    @Option(help: "A --can-introspect client of Gatehouse, to check tokens (RFC 7662).")
    var clientID: String

    @Option(help: "Its secret.")
    var clientSecret: String

    @Option(help: "Port to listen on, on 127.0.0.1.")
    var port: Int = 9300

    func run() async throws {
        let resource = ProtectedResource(
            identifier: "http://127.0.0.1:\(port)/mcp", authorizationServers: [issuer], scopesSupported: ["tools"]
        )
        let verifier = IntrospectionVerifier(
            introspectionURL: "\(issuer)/oauth2/introspect", clientID: clientID, clientSecret: clientSecret, cacheLifetime: 5
        )
        let endpoint = MCPEndpoint()
        let router = Router(context: MCPContext.self)
        router.get("/healthz") { _, _ in "ok" }
        router.addProtectedResourceMetadata(resource)
        let mcp = router.group("/mcp")
            .add(middleware: BearerTokenMiddleware<MCPContext>(verifier: verifier, realm: "mcp", resource: resource))
        mcp.post { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            guard let token = context.accessToken else { return Response(status: .unauthorized) }
            let caller = MCPEndpoint.Caller(
                subject: token.subject, username: token.username, clientID: token.clientID, scope: token.scope.tokens
            )
            switch endpoint.reply(to: Data(body.readableBytesView), caller: caller) {
            case .accepted:
                return Response(status: .accepted)
            case .json(let message):
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(message))))
            }
        }
        // No server-initiated stream and no sessions: the transport allows 405 for both.
        mcp.get { _, _ in Response(status: .methodNotAllowed, headers: [.allow: "POST"]) }
        mcp.delete { _, _ in Response(status: .methodNotAllowed, headers: [.allow: "POST"]) }
        var logger = Logger(label: "mcp-server")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        try await app.runService()
    }
}

struct MCPContext: RequestContext, BearerTokenRequestContext {
    var coreContext: CoreRequestContextStorage
    var accessToken: AccessTokenClaims?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        accessToken = nil
    }
}
