import Foundation
import Testing

/// The guide's device flow example, run as written against `gatehouse serve`: the device script
/// polls while curl plays the user on `/device`.
@Suite("The guide's device flow example")
struct DeviceGuideTests {
    /// The `sh` blocks of the chapter whose heading is `## N. title`, whatever its number.
    static func shellBlocks(ofChapter title: String, in text: String) throws -> [String] {
        guard let heading = text.range(of: #"\n## \d+\. "# + NSRegularExpression.escapedPattern(for: title) + "\n", options: .regularExpression)
        else { throw HarnessError("no chapter \(title) in docs/guide.md") }
        let end = text.range(of: "\n## ", range: heading.upperBound..<text.endIndex)?.lowerBound ?? text.endIndex
        var blocks: [String] = []
        var cursor = heading.upperBound
        while let start = text.range(of: "```sh\n", range: cursor..<end), let close = text.range(of: "\n```\n", range: start.upperBound..<end) {
            blocks.append(String(text[start.upperBound..<close.lowerBound]))
            cursor = close.upperBound
        }
        return blocks
    }

    @Test("the device script of 'The device flow' prints the code, polls, and prints the tokens once the user allowed")
    func deviceExample() async throws {
        let directory = try CLI.makeDirectory()
        let server = try ServeProcess(environment: ["GATEHOUSE_DEVICE_POLL_INTERVAL": "1"], in: directory)
        defer { server.stop() }
        try await server.waitUntilReady()
        let created = try await CLI.launch(["users", "create", "--username", "alice", "--password", "correct horse"], in: directory)
        #expect(created.status == 0, "\(created.stderr)")

        let guide = try String(contentsOf: AdminGuideTests.guide, encoding: .utf8)
        let blocks = try Self.shellBlocks(ofChapter: "The device flow", in: guide)
        #expect(blocks.count == 2)
        guard blocks.count == 2 else { return }
        let register = try await CLI.script("set -euo pipefail\n" + blocks[0], in: directory)
        #expect(register.status == 0, "\(register.stderr)")

        // The device runs in the background; its output goes to a file the user reads the code from.
        let output = directory.appendingPathComponent("device.out")
        let device = blocks[1].replacingOccurrences(of: "http://127.0.0.1:8080", with: server.baseURL)
        async let finished = CLI.script("exec > \(output.path)\n" + device, in: directory)

        var userCode: String?
        let deadline = Date().addingTimeInterval(30)
        while userCode == nil, Date() < deadline {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: /enter the code ([BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})/) {
                userCode = String(match.1)
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let code = try #require(userCode)
        // The user: the code from the URL, sign in, allow.
        let user = """
            set -euo pipefail
            ISSUER=\(server.baseURL)
            curl -s -c jar -b jar "$ISSUER/device?user_code=\(code)" > login.html
            CSRF=$(grep -o 'name="csrf_token" value="[^"]*"' login.html | cut -d'"' -f4)
            curl -s -c jar -b jar "$ISSUER/device" -d "csrf_token=$CSRF" -d "user_code=\(code)" -d username=alice \
              --data-urlencode "password=correct horse" > consent.html
            CSRF=$(grep -o 'name="csrf_token" value="[^"]*"' consent.html | cut -d'"' -f4)
            curl -s -c jar -b jar "$ISSUER/device" -d "csrf_token=$CSRF" -d "user_code=\(code)" -d decision=allow
            """
        let allowed = try await CLI.script(user, in: directory)
        #expect(allowed.stdout.contains("You may return to your device."), "\(allowed.stdout) \(allowed.stderr)")

        let result = try await finished
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(lines)")
        #expect(lines.first?.hasPrefix("To sign in, open \(server.baseURL)/device and enter the code ") == true)
        let tokens = try #require(lines.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect((tokens["access_token"] as? String)?.hasPrefix("gtha_") == true)
        #expect((tokens["refresh_token"] as? String)?.hasPrefix("gthr_") == true)
        #expect(tokens["scope"] as? String == "read profile" || tokens["scope"] as? String == "profile read")
    }
}
