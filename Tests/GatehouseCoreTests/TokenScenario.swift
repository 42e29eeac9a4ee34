import Foundation
import GatehouseCore
import GatehouseTesting

/// What a core endpoint row starts from: a test bed with the client that calls, a user, and ways to
/// get a fresh code or tokens through the real endpoints.
struct TokenScenario: Sendable {
    /// Which registered client calls.
    enum Caller: Sendable {
        /// confidential, allowed only `client_credentials`
        case service
        /// confidential, allowed `authorization_code` and `refresh_token`
        case webApp
        /// public, allowed `authorization_code` and `refresh_token`
        case publicApp
    }

    let bed: TestBed
    let caller: RegisteredClient
    let user: User

    static func make(_ caller: Caller, configuration: ServerConfiguration = ServerConfiguration(issuer: TestBed.issuer)) async throws
        -> TokenScenario
    {
        let bed = TestBed(configuration: configuration)
        let client =
            switch caller {
            case .service: try await bed.registerClient(.confidential, grantTypes: [.clientCredentials], scopes: ["read", "write"])
            case .webApp: try await bed.registerClient(.confidential, grantTypes: [.authorizationCode, .refreshToken])
            case .publicApp: try await bed.registerClient(.public, grantTypes: [.authorizationCode, .refreshToken])
            }
        return TokenScenario(bed: bed, caller: client, user: try await bed.createUser())
    }

    /// A fresh code for the caller, with PKCE unless `pkce` is false.
    func code(pkce: Bool = true) async throws -> IssuedCode {
        try await bed.issueCode(client: caller, user: user, pkce: pkce)
    }

    /// The caller's tokens from a finished code flow.
    func tokens(scope: String? = nil) async throws -> CodeFlowTokens {
        try await bed.finishCodeFlow(client: caller, user: user, scope: scope)
    }

    /// Another confidential client with the caller's grants.
    func anotherClient() async throws -> RegisteredClient {
        try await bed.registerClient(.confidential, grantTypes: [.authorizationCode, .refreshToken, .clientCredentials])
    }

    /// The caller's refresh token, or a failure when the flow issued none.
    func refreshToken(scope: String? = nil) async throws -> String {
        guard let token = try await tokens(scope: scope).refreshToken else { throw ScenarioError.noRefreshToken }
        return token
    }

    enum ScenarioError: Error {
        case noRefreshToken
    }
}

/// A request to a client-authenticated endpoint as it arrives: the form body as sent, and the
/// `Authorization` header.
struct EndpointCall: Sendable {
    var body: String
    var authorization: String?

    /// The body decoded as the HTTP layer decodes it, refusing repeated parameters.
    func parameters() throws -> RequestParameters {
        try RequestParameters(formEncoded: Array(body.utf8))
    }

    /// `client` authenticates with HTTP Basic.
    static func basic(_ client: RegisteredClient, _ body: String) -> EndpointCall {
        EndpointCall(body: body, authorization: client.basicAuthorization)
    }

    /// `client` authenticates in the body (`client_secret_post`, or `none` for a public client).
    static func post(_ client: RegisteredClient, _ body: String) -> EndpointCall {
        var credentials = "client_id=\(client.id)"
        if let secret = client.secret { credentials += "&client_secret=\(secret)" }
        return EndpointCall(body: body.isEmpty ? credentials : "\(body)&\(credentials)", authorization: nil)
    }
}
