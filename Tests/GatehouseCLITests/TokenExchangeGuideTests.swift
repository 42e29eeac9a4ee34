import Foundation
import GatehouseCore
import GatehouseStore
import Logging
import Testing

/// The guide's token exchange example runs as written against `gatehouse serve`.
@Suite("The guide's token exchange example")
struct TokenExchangeGuideTests {
    /// The first `sh` block of the chapter titled `title`, whatever its number.
    static func shellBlock(ofChapter title: String) throws -> String {
        let text = try String(contentsOf: AdminGuideTests.guide, encoding: .utf8)
        guard let heading = text.range(of: #"\n## [0-9]+\. "# + title + "\n", options: .regularExpression) else {
            throw HarnessError("no chapter \(title) in docs/guide.md")
        }
        let rest = String(text[heading.lowerBound...].dropFirst())
        return try AdminGuideTests.shellBlock(after: String(rest.prefix { $0 != "\n" }), in: text)
    }

    @Test("the service-to-service example exchanges a user's token for a narrower one naming the service as actor")
    func serviceToService() async throws {
        let directory = try CLI.makeDirectory()
        let billing = "https://billing.example.com"
        let server = try ServeProcess(environment: ["GATEHOUSE_RESOURCES": billing], in: directory)
        defer { server.stop() }
        try await server.waitUntilReady()

        // The user's token as the web app got it from a code flow, written straight to the store.
        let database = try await Database.open(
            .sqlite(path: directory.appendingPathComponent("gatehouse.sqlite").path), logger: .init(label: "test")
        )
        let store = SQLStore(database: database)
        let now = Date()
        let webApp = Client(
            id: SecretGenerator().makeIdentifier(), name: "web", secretHash: SecretHasher.hash("s"), redirectURIs: ["https://web.example/cb"],
            scopes: ["orders:read", "billing:read"], createdAt: now
        )
        try await store.createClient(webApp)
        let alice = User(id: SecretGenerator().makeIdentifier(), username: "alice", passwordHash: "x", createdAt: now)
        try await store.createUser(alice)
        let grant = Grant(
            id: SecretGenerator().makeIdentifier(), clientID: webApp.id, userID: alice.id, scope: ["orders:read", "billing:read"], createdAt: now
        )
        try await store.createGrant(grant)
        let userToken = try await AccessTokenIssuer(lifetime: 3600).make(
            client: webApp, userID: alice.id, scope: grant.scope, grantID: grant.id, now: now
        )
        try await store.insertAccessToken(userToken.record)
        await database.close()

        let block = try Self.shellBlock(ofChapter: "Token exchange")
        let script = "set -euo pipefail\n" + block.replacingOccurrences(of: "http://127.0.0.1:8080", with: server.baseURL)
        let result = try await CLI.script(script, environment: ["USER_TOKEN": userToken.token], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let answers = result.stdout.split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
        #expect(answers.count == 2, "stdout: \(result.stdout) stderr: \(result.stderr)")
        let exchanged = try #require(answers.first)
        #expect(exchanged["issued_token_type"] as? String == "urn:ietf:params:oauth:token-type:access_token")
        #expect(exchanged["scope"] as? String == "billing:read")
        #expect(exchanged["refresh_token"] == nil)
        let orders = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("orders.json"))) as? [String: Any]
        )
        let introspected = try #require(answers.dropFirst().first)
        #expect(introspected["active"] as? Bool == true)
        #expect(introspected["sub"] as? String == alice.id)
        #expect(introspected["username"] as? String == "alice")
        #expect(introspected["aud"] as? String == billing)
        #expect((introspected["act"] as? [String: Any])?["sub"] as? String == orders["client_id"] as? String)
    }
}
