import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("serve --demo")
struct DemoTests {
    @Test("the walk-through exists only with --demo", arguments: Backend.available)
    func onlyWithDemo(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let home = try await server.send(.get, "/")
            #expect(home.status == .notFound)
        }
    }

    @Test("start sends the browser to /oauth2/authorize with PKCE; the demo client and user exist", arguments: Backend.available)
    func start(backend: Backend) async throws {
        try await LiveServer.run(backend, demo: true) { server in
            let home = try await server.send(.get, "/")
            #expect(home.status == .ok)
            expectHTMLSecurityHeaders(home)
            #expect(home.text.contains(#"action="/demo/start""#))

            let start = try await server.send(.get, "/demo/start")
            #expect(start.status == .found)
            let location = try #require(start.headers[.location])
            #expect(location.hasPrefix("\(LiveServer.issuer)/oauth2/authorize?"))
            #expect(location.contains("code_challenge_method=S256"))
            #expect(start.headers[values: .setCookie].first?.contains("HttpOnly") == true)

            let client = try #require(try await server.store.client(id: "demo"))
            #expect(client.isPublic)
            #expect(client.redirectURIs == ["\(LiveServer.issuer)/demo/callback"])
            let user = try await server.store.user(username: "demo")
            #expect(user != nil)
        }
    }

    @Test("the callback refuses a state this browser did not start", arguments: Backend.available)
    func callbackChecksState(backend: Backend) async throws {
        try await LiveServer.run(backend, demo: true) { server in
            let callback = try await server.send(.get, "/demo/callback?code=gthc_x&state=forged&iss=\(LiveServer.issuer)")
            #expect(callback.status == .ok)
            #expect(callback.text.contains(#"role="alert""#))
            #expect(!callback.text.contains(#"id="token""#))
        }
    }
}
