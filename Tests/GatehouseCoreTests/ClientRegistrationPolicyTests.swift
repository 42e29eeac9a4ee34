import Foundation
import GatehouseCore
import HTTPTypes
import Testing

/// SPEC §10 "one validation, wherever a client is made": each rule of ``ClientRegistrationPolicy``
/// as one row, for the registrar it concerns.
@Suite("Client registration policy")
struct ClientRegistrationPolicyTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let rule: String
        var registrar: ClientRegistrationPolicy.Registrar = .registration(.token)
        var knownScopes: ScopeSet? = nil
        var registrationScopes: ScopeSet? = nil
        let metadata: ClientMetadata
        /// The error code, or `nil` when the metadata is accepted.
        let error: OAuthErrorCode?
        var testDescription: String { rule }
    }

    static let web = ["https://app.example/cb"]

    static let rows: [Row] = [
        Row(rule: "defaults: a confidential code client", metadata: ClientMetadata(redirectURIs: web), error: nil),
        Row(
            rule: "unknown token_endpoint_auth_method", metadata: ClientMetadata(redirectURIs: web, tokenEndpointAuthMethod: "private_key_jwt"),
            error: .invalidClientMetadata),
        Row(rule: "unknown grant type", metadata: ClientMetadata(redirectURIs: web, grantTypes: ["password"]), error: .invalidClientMetadata),
        Row(rule: "empty grant_types", metadata: ClientMetadata(redirectURIs: web, grantTypes: []), error: .invalidClientMetadata),
        Row(
            rule: "response type other than code", metadata: ClientMetadata(redirectURIs: web, responseTypes: ["code", "token"]),
            error: .invalidClientMetadata),
        Row(
            rule: "authorization_code without the code response type",
            metadata: ClientMetadata(redirectURIs: web, grantTypes: ["authorization_code"], responseTypes: []), error: .invalidClientMetadata),
        Row(
            rule: "the code response type without authorization_code",
            metadata: ClientMetadata(grantTypes: ["client_credentials"], responseTypes: ["code"]), error: .invalidClientMetadata),
        Row(rule: "client_credentials alone needs no redirect URI", metadata: ClientMetadata(grantTypes: ["client_credentials"]), error: nil),
        Row(
            rule: "a public client never gets client_credentials",
            metadata: ClientMetadata(grantTypes: ["client_credentials"], tokenEndpointAuthMethod: "none"), error: .invalidClientMetadata),
        Row(
            rule: "client_credentials is refused in open mode", registrar: .registration(.open),
            metadata: ClientMetadata(grantTypes: ["client_credentials"]), error: .invalidClientMetadata),
        Row(
            rule: "token exchange is refused in open mode", registrar: .registration(.open),
            metadata: ClientMetadata(grantTypes: ["token_exchange"]), error: .invalidClientMetadata),
        Row(
            rule: "token exchange in token mode", registrar: .registration(.token),
            metadata: ClientMetadata(grantTypes: ["urn:ietf:params:oauth:grant-type:token-exchange"]), error: nil),
        Row(rule: "redirect_uris required for authorization_code", metadata: ClientMetadata(), error: .invalidRedirectURI),
        Row(
            rule: "the command line may leave redirect URIs for later", registrar: .commandLine(admin: false), metadata: ClientMetadata(),
            error: nil),
        Row(rule: "relative redirect URI", metadata: ClientMetadata(redirectURIs: ["/cb"]), error: .invalidRedirectURI),
        Row(rule: "redirect URI with a fragment", metadata: ClientMetadata(redirectURIs: ["https://app.example/cb#x"]), error: .invalidRedirectURI),
        Row(rule: "http on a public host", metadata: ClientMetadata(redirectURIs: ["http://app.example/cb"]), error: .invalidRedirectURI),
        Row(rule: "http on loopback", metadata: ClientMetadata(redirectURIs: ["http://127.0.0.1:8000/cb"]), error: nil),
        Row(rule: "javascript: redirect URI", metadata: ClientMetadata(redirectURIs: ["javascript:alert(1)"]), error: .invalidRedirectURI),
        Row(
            rule: "a private-use scheme for a confidential client", metadata: ClientMetadata(redirectURIs: ["com.example.app:/cb"]),
            error: .invalidRedirectURI),
        Row(
            rule: "a private-use scheme for a public client",
            metadata: ClientMetadata(redirectURIs: ["com.example.app:/cb"], tokenEndpointAuthMethod: "none"), error: nil),
        Row(
            rule: "post-logout redirect URIs follow the same rules",
            metadata: ClientMetadata(redirectURIs: web, postLogoutRedirectURIs: ["http://app.example/bye"]), error: .invalidRedirectURI),
        Row(rule: "malformed scope", metadata: ClientMetadata(redirectURIs: web, scope: "a\"b"), error: .invalidClientMetadata),
        Row(rule: "reserved scope by registration", metadata: ClientMetadata(redirectURIs: web, scope: "gatehouse:admin"), error: .invalidClientMetadata),
        Row(
            rule: "reserved scope by the admin API", registrar: .adminAPI, metadata: ClientMetadata(redirectURIs: web, scope: "gatehouse:register"),
            error: .invalidClientMetadata),
        Row(
            rule: "reserved scope by the command line without --admin", registrar: .commandLine(admin: false),
            metadata: ClientMetadata(scope: "read gatehouse:admin"), error: .invalidClientMetadata),
        Row(
            rule: "scope outside registration_scopes", registrationScopes: ["read"],
            metadata: ClientMetadata(redirectURIs: web, scope: "read write"), error: .invalidClientMetadata),
        Row(
            rule: "scope within registration_scopes", registrationScopes: ["read", "write"],
            metadata: ClientMetadata(redirectURIs: web, scope: "write"), error: nil),
        Row(
            rule: "registration_scopes do not bind the admin API", registrar: .adminAPI, registrationScopes: ["read"],
            metadata: ClientMetadata(redirectURIs: web, scope: "write"), error: nil),
        Row(
            rule: "scope the server does not know", registrar: .commandLine(admin: false), knownScopes: ["read"],
            metadata: ClientMetadata(scope: "read admin"), error: .invalidClientMetadata),
        Row(rule: "empty client_name", metadata: ClientMetadata(clientName: "  ", redirectURIs: web), error: .invalidClientMetadata),
        Row(rule: "client_name with a control character", metadata: ClientMetadata(clientName: "a\u{7}b", redirectURIs: web), error: .invalidClientMetadata),
        Row(rule: "client_uri not a web URL", metadata: ClientMetadata(redirectURIs: web, clientURI: "ftp://a.example"), error: .invalidClientMetadata),
        Row(rule: "logo_uri not absolute", metadata: ClientMetadata(redirectURIs: web, logoURI: "/logo.png"), error: .invalidClientMetadata),
        Row(rule: "an empty contact", metadata: ClientMetadata(redirectURIs: web, contacts: [""]), error: .invalidClientMetadata),
        Row(rule: "unknown token_format", metadata: ClientMetadata(redirectURIs: web, tokenFormat: "saml"), error: .invalidClientMetadata),
        Row(
            rule: "skip_consent is refused in open mode", registrar: .registration(.open),
            metadata: ClientMetadata(redirectURIs: web, skipConsent: true), error: .invalidClientMetadata),
        Row(
            rule: "can_introspect is refused in open mode", registrar: .registration(.open),
            metadata: ClientMetadata(redirectURIs: web, canIntrospect: true), error: .invalidClientMetadata),
        Row(rule: "skip_consent by token registration", metadata: ClientMetadata(redirectURIs: web, skipConsent: true), error: nil),
        Row(
            rule: "--admin cannot be public", registrar: .commandLine(admin: true),
            metadata: ClientMetadata(tokenEndpointAuthMethod: "none"), error: .invalidClientMetadata),
    ]

    @Test(
        "each rule answers its code, or accepts", .spec("registration.invalid_redirect_uri"), .spec("registration.invalid_client_metadata"),
        arguments: rows
    )
    func rule(row: Row) {
        let policy = ClientRegistrationPolicy(registrar: row.registrar, knownScopes: row.knownScopes, registrationScopes: row.registrationScopes)
        do {
            _ = try policy.client(from: row.metadata, id: "c1", createdAt: Date(timeIntervalSince1970: 1_800_000_000))
            #expect(row.error == nil, "accepted, expected \(row.error?.rawValue ?? "")")
        } catch {
            #expect(error.code == row.error, "\(error.hint)")
            #expect(error.status == .badRequest)
        }
    }

    @Test("defaults: RFC 7591 grant and response types, client_secret_basic, the name from the id")
    func defaults() throws {
        let policy = ClientRegistrationPolicy(registrar: .registration(.open), knownScopes: nil, registrationScopes: ["read", "write"])
        let client = try policy.client(from: ClientMetadata(redirectURIs: Self.web), id: "c1", createdAt: Date(timeIntervalSince1970: 5))
        #expect(client.grantTypes == [.authorizationCode, .refreshToken])
        #expect(client.tokenEndpointAuthMethod == .clientSecretBasic)
        #expect(client.name == "c1")
        #expect(client.scopes == ["read", "write"])
        #expect(ClientMetadata(client: client).responseTypes == ["code"])
    }

    @Test("--admin: client_credentials and the reserved scopes besides --scope")
    func admin() throws {
        let policy = ClientRegistrationPolicy(registrar: .commandLine(admin: true), knownScopes: ["read"], registrationScopes: nil)
        let client = try policy.client(from: ClientMetadata(clientName: "ops", scope: "read"), id: "c1", createdAt: Date())
        #expect(client.grantTypes == [.clientCredentials])
        #expect(client.scopes == ["read", "gatehouse:admin", "gatehouse:register"])
        #expect(client.tokenEndpointAuthMethod == .clientSecretBasic)
        let withCode = try policy.client(
            from: ClientMetadata(clientName: "ops2", grantTypes: ["authorization_code"]), id: "c2", createdAt: Date()
        )
        #expect(withCode.grantTypes == [.authorizationCode, .clientCredentials])
    }

    @Test("a replacement keeps id, secret, token and creation time, and cannot switch between public and confidential")
    func replacement() throws {
        let policy = ClientRegistrationPolicy(registrar: .registration(.token), knownScopes: nil, registrationScopes: nil)
        var existing = try policy.client(from: ClientMetadata(redirectURIs: Self.web), id: "c1", createdAt: Date(timeIntervalSince1970: 5))
        existing.secretHash = "hash"
        existing.registrationAccessTokenHash = "rat"
        let replaced = try policy.client(
            from: ClientMetadata(clientName: "renamed", redirectURIs: ["https://new.example/cb"], tokenEndpointAuthMethod: "client_secret_post"),
            id: "ignored", createdAt: Date(), replacing: existing
        )
        #expect(replaced.id == "c1" && replaced.secretHash == "hash" && replaced.registrationAccessTokenHash == "rat")
        #expect(replaced.createdAt == existing.createdAt && replaced.name == "renamed")
        let error = #expect(throws: OAuthError.self) {
            try policy.client(from: ClientMetadata(redirectURIs: Self.web, tokenEndpointAuthMethod: "none"), id: "x", createdAt: Date(), replacing: existing)
        }
        #expect(error?.code == .invalidClientMetadata)
    }

    @Test("JSON: unknown fields are ignored, a wrong type or a non-object is invalid_request")
    func decoding() throws {
        let metadata = try ClientMetadata.decode(json: Array(#"{"client_name":"a","software_id":"x","redirect_uris":["https://a.example/cb"]}"#.utf8))
        #expect(metadata.clientName == "a" && metadata.redirectURIs == ["https://a.example/cb"])
        for body in [#"{"redirect_uris":"https://a.example/cb"}"#, #"{"skip_consent":"yes"}"#, "[]", "not json", ""] {
            let error = #expect(throws: OAuthError.self) { try ClientMetadata.decode(json: Array(body.utf8)) }
            #expect(error?.code == .invalidRequest, "\(body)")
        }
    }

    @Test("reserved scopes: never by an authorization request or a default, only where the grant allows them", .spec("reserved-scopes"))
    func reservedScopes() throws {
        let allowed: ScopeSet = ["read", "gatehouse:admin"]
        let error = #expect(throws: OAuthError.self) {
            try ScopePolicy.resolve(requested: "gatehouse:admin", allowed: allowed, default: allowed)
        }
        #expect(error?.code == .invalidScope)
        #expect(try ScopePolicy.resolve(requested: nil, allowed: allowed, default: allowed) == ["read"])
        #expect(try ScopePolicy.resolve(requested: "gatehouse:admin", allowed: allowed, default: allowed, grantsReserved: true) == ["gatehouse:admin"])
    }
}
