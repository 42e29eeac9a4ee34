import Foundation
import GatehouseTestSupport
import Testing

/// The guide's OpenID Connect chapter, run as written against `gatehouse serve`: registration,
/// discovery, and the curl walk-through of the code flow, the ID token, UserInfo and logout.
@Suite("The guide's OpenID Connect example")
struct OpenIDConnectGuideTests {
    @Test("the chapter's commands register, discover, sign in, read the ID token and UserInfo, and log out", .spec("oidc.discovery"))
    func walkThrough() async throws {
        let directory = try CLI.makeDirectory()
        let server = try ServeProcess(in: directory)
        defer { server.stop() }
        try await server.waitUntilReady()

        let guide = try String(contentsOf: AdminGuideTests.guide, encoding: .utf8)
        let blocks = try DeviceGuideTests.shellBlocks(ofChapter: "OpenID Connect", in: guide)
        #expect(blocks.count == 3)
        guard blocks.count == 3 else { return }
        let localized = blocks.map { $0.replacingOccurrences(of: "http://127.0.0.1:8080", with: server.baseURL) }

        let register = try await CLI.script("set -euo pipefail\n" + localized[0], in: directory)
        #expect(register.status == 0, "\(register.stderr)")

        let discovery = try await CLI.script("set -euo pipefail\n" + localized[1], in: directory)
        #expect(discovery.status == 0, "\(discovery.stderr)")
        let metadata = try #require(try JSONSerialization.jsonObject(with: Data(discovery.stdout.utf8)) as? [String: Any])
        #expect(metadata["issuer"] as? String == server.baseURL)
        #expect(metadata["userinfo_endpoint"] as? String == server.baseURL + "/oauth2/userinfo")
        #expect(metadata["end_session_endpoint"] as? String == server.baseURL + "/oauth2/logout")
        #expect(metadata["id_token_signing_alg_values_supported"] as? [String] == ["ES256"])

        let flow = try await CLI.script(localized[2], in: directory)
        #expect(flow.status == 0, "\(flow.stderr)")
        let lines = flow.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(flow.stdout) \(flow.stderr)")
        guard lines.count == 3 else { return }
        let claims = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(claims["iss"] as? String == server.baseURL)
        #expect(claims["aud_is_client"] as? Bool == true)
        #expect(claims["nonce_matches"] as? Bool == true)
        #expect(claims["has"] as? [Bool] == [true, true, true])
        let userInfo = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(userInfo["preferred_username"] as? String == "alice")
        #expect(userInfo["name"] as? String == "Alice Example")
        #expect(userInfo["email"] as? String == "alice@example.com")
        #expect(userInfo["email_verified"] as? Bool == false)
        #expect(lines[2] == "302 http://127.0.0.1:9000/?state=bye")
    }
}
