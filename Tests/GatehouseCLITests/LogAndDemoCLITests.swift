import Foundation
import GatehouseTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("The process log in JSON, and what serve --demo leaves behind")
struct LogAndDemoCLITests {
    @Test("log_format json: every stderr line is one JSON object; control characters from a request stay inside their value")
    func jsonLog() async throws {
        let directory = try CLI.makeDirectory()
        let database = ["--database", "sqlite:\(directory.appendingPathComponent("gatehouse.sqlite").path)"]
        let created = try await CLI.launch(
            ["clients", "create", "--name", uniqueName("svc"), "--grant-type", "client_credentials", "--json"] + database, in: directory
        )
        let registration = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
        let id = try #require(registration["client_id"] as? String)
        let secret = try #require(registration["client_secret"] as? String)

        let port = try freePort()
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["serve", "--port", String(port)] + database
        process.currentDirectoryURL = directory
        process.environment = CLI.baseEnvironment.merging(["GATEHOUSE_LOG_FORMAT": "json", "GATEHOUSE_LOG_LEVEL": "info"]) { $1 }
        let stderr = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        let baseURL = "http://127.0.0.1:\(port)"
        try await waitUntilReady(baseURL, process: process)

        // The grant type reaches the log in the refusal's hint: a newline, an escape, a line
        // separator and a quote must not break the line or the JSON.
        let forged = "evil%0A%7B%22level%22%3A%22critical%22%7D%1B%5B31m%E2%80%A8%C2%85%0D"
        let refused = try await HTTP.send(
            "POST", "\(baseURL)/oauth2/token",
            headers: ["Authorization": HTTP.basic(id, secret), "Content-Type": "application/x-www-form-urlencoded"],
            body: "grant_type=\(forged)"
        )
        #expect(refused.status == 400)
        #expect(refused.json["error"] as? String == "unsupported_grant_type")
        kill(process.processIdentifier, SIGTERM)
        let output = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()

        let text = String(decoding: output, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(text.hasSuffix("\n"))
        #expect(lines.count >= 3, "\(text)")
        var messages: [[String: Any]] = []
        for line in lines {
            #expect(
                !line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}" },
                "raw control character in \(line)")
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not one JSON object: \(line)")
            if let object { messages.append(object) }
        }
        for message in messages {
            #expect(message["time"] is String && message["level"] is String && message["message"] is String, "\(message)")
        }
        #expect(!messages.contains { $0["level"] as? String == "critical" }, "a forged line")
        let refusal = try #require(messages.first { ($0["hint"] as? String)?.contains("evil") == true }, "\(text)")
        let hint = try #require(refusal["hint"] as? String)
        #expect(hint.contains("evil\n{\"level\":\"critical\"}\u{1B}[31m\u{2028}\u{85}\r"), "the value survives the round trip: \(hint)")
        #expect(!text.contains(secret))
    }

    @Test("serve --demo without --database leaves no demo user or client in the working directory's gatehouse.sqlite")
    func demoLeavesNothingBehind() async throws {
        let directory = try CLI.makeDirectory()
        // The operator's real database, in the working directory where serve looks by default.
        let alice = try await CLI.launch(["users", "create", "--username", "alice", "--password", "correct horse"], in: directory)
        #expect(alice.status == 0, "\(alice.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("gatehouse.sqlite").path))

        let server = try ServeProcess(arguments: ["--demo"], in: directory)
        try await server.waitUntilReady()
        let home = try await HTTP.send("GET", "\(server.baseURL)/")
        #expect(home.status == 200, "the demo is served")
        server.stop()
        #expect(server.process.terminationStatus == 0)

        let users = try await CLI.launch(["users", "list", "--json"], in: directory)
        let usernames = try #require(try JSONSerialization.jsonObject(with: Data(users.stdout.utf8)) as? [[String: Any]])
            .compactMap { $0["username"] as? String }
        #expect(usernames == ["alice"])
        let clients = try await CLI.launch(["clients", "list"], in: directory)
        #expect(clients.status == 0, "\(clients.stderr)")
        #expect(!clients.stdout.contains("demo"), "\(clients.stdout)")
    }

    private func waitUntilReady(_ baseURL: String, process: Process, timeout: TimeInterval = 20) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !process.isRunning { throw HarnessError("gatehouse serve exited with \(process.terminationStatus)") }
            if let response = try? await HTTP.send("GET", "\(baseURL)/healthz"), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("gatehouse serve did not become ready")
    }
}
