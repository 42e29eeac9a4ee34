import Foundation
import Testing

/// The guide's dynamic registration example runs as written, against `gatehouse serve` in token mode.
@Suite("The guide's dynamic registration example")
struct RegistrationGuideTests {
    @Test("the developer portal example registers, reads, replaces and deletes a client")
    func portalExample() async throws {
        let directory = try CLI.makeDirectory()
        let server = try ServeProcess(environment: ["GATEHOUSE_REGISTRATION": "token"], in: directory)
        defer { server.stop() }
        try await server.waitUntilReady()

        let text = try String(contentsOf: AdminGuideTests.guide, encoding: .utf8)
        let block = try AdminGuideTests.shellBlock(after: "### Developer portal: dynamic registration", in: text)
        // The guide's server is the default address; this one listens on a free port.
        let script = "set -euo pipefail\n" + block.replacingOccurrences(of: "http://127.0.0.1:8080", with: server.baseURL)
        let result = try await CLI.script(script, environment: ["GATEHOUSE_REGISTRATION": "token"], in: directory)
        let (stdout, stderr) = (result.stdout, result.stderr)
        #expect(result.status == 0, "\(stderr)")

        let lines = stdout.split(separator: "\n").map(String.init)
        let answers = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(answers.count == 3, "\(stdout) \(stderr)")
        let registered = try #require(answers.first)
        #expect(registered["client_name"] as? String == "Photo Printer")
        #expect((registered["client_secret"] as? String)?.hasPrefix("gths_") == true)
        #expect((registered["registration_access_token"] as? String)?.hasPrefix("gthg_") == true)
        let clientID = try #require(registered["client_id"] as? String)
        #expect(registered["registration_client_uri"] as? String == "\(server.baseURL)/oauth2/register/\(clientID)")
        let read = try #require(answers.dropFirst().first)
        #expect(read["client_id"] as? String == clientID && read["client_secret"] == nil)
        let replaced = try #require(answers.dropFirst(2).first)
        #expect((replaced["redirect_uris"] as? [String])?.count == 2)
        #expect(lines.last == "204")

        let shown = try await CLI.launch(["clients", "show", clientID], in: directory)
        #expect(shown.status != 0)
    }
}
