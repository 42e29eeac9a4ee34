import Foundation
import Testing

/// The guide's examples run as written, so that they stay true.
@Suite("The guide's admin API example")
struct AdminGuideTests {
    static let guide = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/guide.md")

    /// The first `sh` block after `heading`.
    static func shellBlock(after heading: String, in text: String) throws -> String {
        guard let section = text.range(of: "\n\(heading)\n"),
            let start = text.range(of: "```sh\n", range: section.upperBound..<text.endIndex),
            let end = text.range(of: "\n```\n", range: start.upperBound..<text.endIndex)
        else { throw HarnessError("no sh block after \(heading) in docs/guide.md") }
        return String(text[start.upperBound..<end.lowerBound])
    }

    @Test("the curl example of the admin API section works against gatehouse serve, step by step")
    func adminExample() async throws {
        let directory = try CLI.makeDirectory()
        let server = try ServeProcess(in: directory)
        defer { server.stop() }
        try await server.waitUntilReady()

        let block = try Self.shellBlock(after: "### The admin API", in: String(contentsOf: Self.guide, encoding: .utf8))
        // The guide's server is the default address; this one listens on a free port.
        let script = "set -euo pipefail\n" + block.replacingOccurrences(of: "http://127.0.0.1:8080", with: server.baseURL)
        let result = try await CLI.script(script, in: directory)
        let (stdout, stderr) = (result.stdout, result.stderr)
        #expect(result.status == 0, "\(stderr)")

        // Each call printed its answer on a line of its own.
        let answers = stdout.split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
        #expect(answers.count == 5, "\(stdout) \(stderr)")
        let created = try #require(answers.first)
        #expect(created["client_name"] as? String == "billing")
        let clientID = try #require(created["client_id"] as? String)
        #expect((created["client_secret"] as? String)?.hasPrefix("gths_") == true)
        let listed = try #require(answers.dropFirst().first)
        let names = (listed["clients"] as? [[String: Any]] ?? []).compactMap { $0["client_name"] as? String }
        // Both were made within a second, the resolution of "oldest first".
        #expect(Set(names) == ["ops-admin", "billing"] && names.count == 2)
        #expect(listed.keys.contains("next_cursor") && listed["next_cursor"] is NSNull)
        let rotated = try #require(answers.dropFirst(2).first)
        let secret = try #require(rotated["client_secret"] as? String)
        #expect(rotated["previous_secret_expires_at"] is Int)
        let user = answers.dropFirst(3).first
        #expect(user?["username"] as? String == "alice" && user?["email"] as? String == "alice@example.com")
        #expect((answers.dropFirst(4).first?["grants"] as? [Any])?.isEmpty == true)

        // The old secret is still good within the grace, and so is the new one.
        let oldSecret = try #require(created["client_secret"] as? String)
        for candidate in [oldSecret, secret] {
            let response = try await HTTP.send(
                "POST", "\(server.baseURL)/oauth2/introspect",
                headers: ["Authorization": HTTP.basic(clientID, candidate), "Content-Type": "application/x-www-form-urlencoded"],
                body: "token=unknown"
            )
            #expect(response.status == 200)
        }
    }
}
