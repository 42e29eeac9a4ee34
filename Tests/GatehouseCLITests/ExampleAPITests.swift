import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("The example API, protected by GatehouseResource")
struct ExampleAPITests {
    private func client(_ arguments: [String], in directory: URL) async throws -> (id: String, secret: String) {
        let created = try await CLI.launch(["clients", "create", "--json"] + arguments, in: directory)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any], "\(created.stderr)")
        return (try #require(json["client_id"] as? String), try #require(json["client_secret"] as? String))
    }

    private func token(_ client: (id: String, secret: String), server: ServeProcess) async throws -> String {
        let response = try await HTTP.send(
            "POST", "\(server.baseURL)/oauth2/token",
            headers: ["Authorization": HTTP.basic(client.id, client.secret), "Content-Type": "application/x-www-form-urlencoded"],
            body: "grant_type=client_credentials"
        )
        return try #require(response.json["access_token"] as? String, "\(response.status)")
    }

    @Test("valid token, revoked token and missing scope, in JWT and in introspection mode", arguments: ["jwt", "introspection"])
    func notes(mode: String) async throws {
        let directory = try CLI.makeDirectory()
        let api = try await client(["--name", "notes-api", "--grant-type", "client_credentials", "--can-introspect"], in: directory)
        let reader = try await client(["--name", "reader", "--grant-type", "client_credentials", "--scope", "read", "--token-format", "jwt"], in: directory)
        let stranger = try await client(
            ["--name", "stranger", "--grant-type", "client_credentials", "--scope", "profile", "--token-format", "jwt"], in: directory)
        let gatehouse = try ServeProcess(in: directory)
        try await gatehouse.waitUntilReady()
        var arguments = ["--issuer", gatehouse.baseURL, "--mode", mode]
        if mode == "introspection" {
            arguments += ["--client-id", api.id, "--client-secret", api.secret, "--cache-ttl", "0"]
        }
        let notes = try ExampleProcess("gatehouse-example-notes", arguments: arguments)
        try await notes.waitUntilReady()

        let valid = try await token(reader, server: gatehouse)
        let ok = try await HTTP.send("GET", "\(notes.baseURL)/notes", headers: ["Authorization": "Bearer \(valid)"])
        #expect(ok.status == 200)
        #expect(ok.json["owner"] as? String == reader.id)

        let missingScope = try await HTTP.send(
            "GET", "\(notes.baseURL)/notes", headers: ["Authorization": "Bearer \(try await token(stranger, server: gatehouse))"])
        #expect(missingScope.status == 403)
        #expect(missingScope.header("WWW-Authenticate")?.contains(#"error="insufficient_scope""#) == true)
        #expect(missingScope.header("WWW-Authenticate")?.contains(#"scope="read""#) == true)

        let none = try await HTTP.send("GET", "\(notes.baseURL)/notes")
        #expect(none.status == 401)
        #expect(none.header("WWW-Authenticate") == #"Bearer realm="notes""#)

        let revoked = try await token(reader, server: gatehouse)
        let revocation = try await HTTP.send(
            "POST", "\(gatehouse.baseURL)/oauth2/token/revoke",
            headers: ["Authorization": HTTP.basic(reader.id, reader.secret), "Content-Type": "application/x-www-form-urlencoded"],
            body: "token=\(revoked)"
        )
        #expect(revocation.status == 200)
        let afterRevocation = try await HTTP.send("GET", "\(notes.baseURL)/notes", headers: ["Authorization": "Bearer \(revoked)"])
        if mode == "introspection" {
            #expect(afterRevocation.status == 401)
            #expect(afterRevocation.header("WWW-Authenticate")?.contains(#"error="invalid_token""#) == true)
        } else {
            // Local JWT verification cannot see a revocation: the token stays valid until it expires.
            // That is the documented trade-off of JWT mode.
            #expect(afterRevocation.status == 200)
        }
        gatehouse.stop()
    }
}
