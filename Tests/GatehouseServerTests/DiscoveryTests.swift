import Foundation
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

@Suite("Metadata and health")
struct DiscoveryTests {
    @Test("metadata lists the issuer, the token endpoint and what is supported (RFC 8414)", arguments: Backend.available)
    func metadata(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            _ = try await server.register(scopes: ["read", "write"])
            // An administration client's reserved scopes are not published (SPEC §10).
            _ = try await server.register(grantTypes: [.clientCredentials], scopes: ["read", "gatehouse:admin", "gatehouse:register"])
            let response = try await server.send(.get, "/.well-known/oauth-authorization-server")
            #expect(response.status == .ok)
            let body = response.json
            #expect(body["issuer"] as? String == LiveServer.issuer)
            #expect(body["token_endpoint"] as? String == "\(LiveServer.issuer)/oauth2/token")
            // Sorted; the URN grant types of SPEC §11 follow the three of RFC 6749.
            let grantTypes = body["grant_types_supported"] as? [String] ?? []
            #expect(grantTypes == grantTypes.sorted())
            #expect(Array(grantTypes.prefix(3)) == ["authorization_code", "client_credentials", "refresh_token"])
            #expect(grantTypes.contains("urn:ietf:params:oauth:grant-type:token-exchange"))
            #expect(body["authorization_endpoint"] as? String == "\(LiveServer.issuer)/oauth2/authorize")
            #expect(body["revocation_endpoint"] as? String == "\(LiveServer.issuer)/oauth2/token/revoke")
            #expect(body["introspection_endpoint"] as? String == "\(LiveServer.issuer)/oauth2/introspect")
            #expect(body["introspection_endpoint_auth_methods_supported"] as? [String] == ["client_secret_basic", "client_secret_post"])
            #expect(body["response_types_supported"] as? [String] == ["code"])
            #expect(body["code_challenge_methods_supported"] as? [String] == ["S256"])
            #expect(body["authorization_response_iss_parameter_supported"] as? Bool == true)
            #expect(body["token_endpoint_auth_methods_supported"] as? [String] == ["client_secret_basic", "client_secret_post", "none"])
            let scopes = try #require(body["scopes_supported"] as? [String])
            #expect(scopes.contains("read") && scopes.contains("write"))
            #expect(!scopes.contains("gatehouse:admin") && !scopes.contains("gatehouse:register"))
            #expect(body["ui_locales_supported"] as? [String] == ["en", "de", "fr", "es", "ja"])
        }
    }

    @Test("metadata refuses POST with 405 and Allow: GET, HEAD", arguments: Backend.available)
    func metadataMethod(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let response = try await server.send(.post, "/.well-known/oauth-authorization-server")
            expectOAuthError(response, status: .methodNotAllowed, error: .invalidRequest)
            #expect(response.headers[.allow] == "GET, HEAD")
        }
    }

    @Test("healthz and readyz answer 200", arguments: Backend.available)
    func health(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let live = try await server.send(.get, "/healthz")
            #expect(live.status == .ok)
            #expect(live.json["status"] as? String == "ok")
            let ready = try await server.send(.get, "/readyz")
            #expect(ready.status == .ok)
            #expect(ready.json["status"] as? String == "ready")
        }
    }

    @Test("readyz answers 503 when the database is gone", .spec("ops.unreachable-database"))
    func notReady() async throws {
        try await LiveServer.run(.sqlite) { server in
            await server.store.database.close()
            let ready = try await server.send(.get, "/readyz")
            #expect(ready.status == .serviceUnavailable)
        }
    }

    @Test("every error_uri lands on /docs/errors with the code's anchor, in the negotiated language", arguments: Backend.available)
    func errorDocs(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let page = try await server.send(.get, "/docs/errors", headers: [.acceptLanguage: "de"])
            #expect(page.status == .ok)
            expectHTMLSecurityHeaders(page)
            #expect(page.headers[.contentLanguage] == "de")
            for entry in ErrorCatalog.entries {
                #expect(page.text.contains("id=\"\(entry.code.rawValue)\""), "\(entry.code)")
            }
            #expect(page.text.contains(ErrorMessage.invalidClient.text(in: "de")))
            #expect(page.text.contains("POST /oauth2/token → 401"))
        }
    }
}
