import Foundation
import GatehouseTestSupport
import Testing

/// The example API as a resource of its own (RFC 8707, RFC 9728), beside a `gatehouse serve` whose
/// `resources` (here from `GATEHOUSE_RESOURCES`) lists it: configuration, server and middleware
/// end to end.
@Suite("The example API as a resource (RFC 8707, RFC 9728)")
struct ExampleAPIResourceTests {
    static let resource = "https://notes.example.test"
    static let metadataURL = "https://notes.example.test/.well-known/oauth-protected-resource"

    @Test(
        "only tokens requested for the API pass; its 401 names its metadata, which it serves", .spec("indicators.resource-identifier"),
        arguments: ["jwt", "introspection"]
    )
    func resource(mode: String) async throws {
        let directory = try CLI.makeDirectory()
        func client(_ arguments: [String]) async throws -> (id: String, secret: String) {
            let created = try await CLI.launch(["clients", "create", "--json"] + arguments, in: directory)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any], "\(created.stderr)")
            return (try #require(json["client_id"] as? String), try #require(json["client_secret"] as? String))
        }
        let api = try await client(["--name", "notes-api", "--grant-type", "client_credentials", "--can-introspect"])
        let reader = try await client(["--name", "reader", "--grant-type", "client_credentials", "--scope", "read", "--token-format", "jwt"])
        let gatehouse = try ServeProcess(environment: ["GATEHOUSE_RESOURCES": Self.resource], in: directory)
        try await gatehouse.waitUntilReady()
        var arguments = ["--issuer", gatehouse.baseURL, "--mode", mode, "--resource", Self.resource]
        if mode == "introspection" {
            arguments += ["--client-id", api.id, "--client-secret", api.secret, "--cache-ttl", "0"]
        }
        let notes = try ExampleProcess("gatehouse-example-notes", arguments: arguments)
        try await notes.waitUntilReady()

        func token(_ form: String) async throws -> String {
            let response = try await HTTP.send(
                "POST", "\(gatehouse.baseURL)/oauth2/token",
                headers: ["Authorization": HTTP.basic(reader.id, reader.secret), "Content-Type": "application/x-www-form-urlencoded"],
                body: form
            )
            return try #require(response.json["access_token"] as? String, "\(response.status)")
        }
        let forNotes = try await token("grant_type=client_credentials&resource=https%3A%2F%2Fnotes.example.test")
        let ok = try await HTTP.send("GET", "\(notes.baseURL)/notes", headers: ["Authorization": "Bearer \(forNotes)"])
        #expect(ok.status == 200)

        let forGatehouse = try await token("grant_type=client_credentials")
        let refused = try await HTTP.send("GET", "\(notes.baseURL)/notes", headers: ["Authorization": "Bearer \(forGatehouse)"])
        #expect(refused.status == 401)
        #expect(refused.header("WWW-Authenticate")?.contains(#"error="invalid_token""#) == true)
        #expect(refused.header("WWW-Authenticate")?.hasSuffix(#"resource_metadata="\#(Self.metadataURL)""#) == true)

        let none = try await HTTP.send("GET", "\(notes.baseURL)/notes")
        #expect(none.status == 401)
        #expect(none.header("WWW-Authenticate") == #"Bearer realm="notes", resource_metadata="\#(Self.metadataURL)""#)

        let metadata = try await HTTP.send("GET", "\(notes.baseURL)/.well-known/oauth-protected-resource")
        #expect(metadata.status == 200)
        #expect(metadata.json["resource"] as? String == Self.resource)
        #expect(metadata.json["authorization_servers"] as? [String] == [gatehouse.baseURL])
        gatehouse.stop()
    }
}
