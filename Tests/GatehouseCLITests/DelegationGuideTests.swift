import Foundation
import Testing

/// The guide's delegated login and consent example, run as written against `gatehouse serve`.
@Suite("The guide's delegated login and consent example")
struct DelegationGuideTests {
    @Test("the curl sequence of 'Integrating your own login and consent' ends in a token for the app's subject")
    func delegationExample() async throws {
        let directory = try CLI.makeDirectory()
        let server = try ServeProcess(
            environment: [
                "GATEHOUSE_LOGIN_URL": "https://app.example.com/oauth/login",
                "GATEHOUSE_CONSENT_URL": "https://app.example.com/oauth/consent",
            ],
            in: directory
        )
        defer { server.stop() }
        try await server.waitUntilReady()

        let guide = try String(contentsOf: AdminGuideTests.guide, encoding: .utf8)
        let block = try AdminGuideTests.shellBlock(after: "### Integrating your own login and consent", in: guide)
        // The guide's server is the default address; this one listens on a free port.
        let script = "set -euo pipefail\n" + block.replacingOccurrences(of: "http://127.0.0.1:8080", with: server.baseURL)
        let result = try await CLI.script(script, in: directory)
        let (stdout, stderr) = (result.stdout, result.stderr)
        #expect(result.status == 0, "\(stderr)")

        let lines = stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 7, "\(stdout)")
        guard lines.count == 7 else { return }
        #expect(lines[0].hasPrefix("https://app.example.com/oauth/login?login_challenge=gthi_"))
        let login = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(login["requested_scope"] as? [String] == ["profile", "read"])
        #expect(login["skip"] as? Bool == false)
        #expect(lines[2].hasPrefix("\(server.baseURL)/oauth2/authorize?") && lines[2].contains("&login_verifier=gthv_"))
        #expect(lines[3].hasPrefix("https://app.example.com/oauth/consent?consent_challenge=gthi_"))
        let consent = try #require(try JSONSerialization.jsonObject(with: Data(lines[4].utf8)) as? [String: Any])
        #expect(consent["subject"] as? String == "user-8412")
        #expect(consent["previously_granted_scope"] as? [String] == [])
        #expect(lines[5].hasPrefix("http://127.0.0.1:9000/cb?code=gthc_") && lines[5].contains("&state=xyz&iss="))
        let introspection = try #require(try JSONSerialization.jsonObject(with: Data(lines[6].utf8)) as? [String: Any])
        #expect(introspection["active"] as? Bool == true)
        #expect(introspection["sub"] as? String == "user-8412")
        #expect(introspection["username"] as? String == "alice@example.com")
        #expect(introspection["scope"] as? String == "profile")
    }
}
