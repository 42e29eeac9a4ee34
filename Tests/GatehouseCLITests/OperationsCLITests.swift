import Foundation
import GatehouseTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Operating the gatehouse process")
struct OperationsCLITests {
    private func databaseArguments(_ backend: Backend, in directory: URL) -> [String] {
        switch backend {
        case .sqlite: ["--database", "sqlite:\(directory.appendingPathComponent("gatehouse.sqlite").path)"]
        case .postgres: ["--database", Backend.postgresURL ?? ""]
        }
    }

    @Test("gatehouse --version prints one version line")
    func version() async throws {
        let result = try await CLI.launch(["--version"], in: try CLI.makeDirectory())
        #expect(result.status == 0)
        #expect(result.stdout.wholeMatch(of: /\d+\.\d+\.\d+\n/) != nil, "\(result.stdout)")
    }

    @Test("a misspelt key in the config file is refused, naming the closest key")
    func unknownConfigurationKey() async throws {
        let directory = try CLI.makeDirectory()
        let config = directory.appendingPathComponent("gatehouse.yaml")
        try "acess_token_ttl: 60\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try await CLI.launch(["clients", "list", "--config", config.path], in: directory)
        #expect(result.status != 0)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("acess_token_ttl"), "\(result.stderr)")
        #expect(result.stderr.contains("access_token_ttl"), "\(result.stderr)")
    }

    @Test(
        "resources are held to the rule of resource parameters: a urn is accepted, a fragment refused",
        arguments: [("urn:example:billing https://api.example.com/v1", true), ("https://api.example.com/#part", false)])
    func resourcesSetting(resources: String, accepted: Bool) async throws {
        let directory = try CLI.makeDirectory()
        let result = try await CLI.launch(["clients", "list"], environment: ["GATEHOUSE_RESOURCES": resources], in: directory)
        #expect((result.status == 0) == accepted, "\(result.stderr)")
        if !accepted {
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stderr.contains("resources must be absolute URIs"), "\(result.stderr)")
        }
    }

    @Test("a misspelt GATEHOUSE_ variable is warned about, naming the closest key; another tool's variable is not")
    func misspeltEnvironmentVariable() async throws {
        let directory = try CLI.makeDirectory()
        let result = try await CLI.launch(
            ["clients", "list", "--database", "sqlite:\(directory.appendingPathComponent("g.sqlite").path)"],
            environment: ["GATEHOUSE_ACESS_TOKEN_TTL": "60", "GATEHOUSE_TEST_HARNESS_DIRECTORY": "/tmp"],
            in: directory
        )
        #expect(result.status == 0, "\(result.stderr)")
        let warnings = result.stderr.split(separator: "\n").filter { $0.contains("warning:") }
        #expect(warnings.count == 1, "\(result.stderr)")
        #expect(warnings.first?.contains("GATEHOUSE_ACCESS_TOKEN_TTL") == true, "\(result.stderr)")
        #expect(!result.stderr.contains("GATEHOUSE_TEST_HARNESS_DIRECTORY"), "\(result.stderr)")
    }

    @Test("a file that is not SQLite as --database gives a one-line error, not a crash")
    func notSQLite() async throws {
        let directory = try CLI.makeDirectory()
        let file = directory.appendingPathComponent("notes.txt")
        try String(repeating: "this is not a database\n", count: 200).write(to: file, atomically: true, encoding: .utf8)
        let result = try await CLI.launch(["clients", "list", "--database", "sqlite:\(file.path)"], in: directory)
        #expect(result.status != 0 && result.status != 134, "status \(result.status)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("gatehouse: "), "\(result.stderr)")
    }

    @Test("the audit log records client and key administration, without the secret", .spec("ops.audit-log"), arguments: Backend.available)
    func auditOfAdministration(backend: Backend) async throws {
        let directory = try CLI.makeDirectory()
        let log = directory.appendingPathComponent("audit.jsonl")
        let environment = ["GATEHOUSE_AUDIT_LOG": log.path]
        let database = databaseArguments(backend, in: directory)
        let created = try await CLI.launch(
            ["clients", "create", "--name", uniqueName("svc"), "--grant-type", "client_credentials", "--json"] + database,
            environment: environment, in: directory
        )
        #expect(created.status == 0, "\(created.stderr)")
        let registration = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
        let id = try #require(registration["client_id"] as? String)
        let secret = try #require(registration["client_secret"] as? String)
        let rotated = try await CLI.launch(["clients", "rotate-secret", id, "--json"] + database, environment: environment, in: directory)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let newSecret = try #require(
            (try JSONSerialization.jsonObject(with: Data(rotated.stdout.utf8)) as? [String: Any])?["client_secret"] as? String
        )
        #expect(try await CLI.launch(["keys", "rotate"] + database, environment: environment, in: directory).status == 0)
        #expect(try await CLI.launch(["clients", "delete", id] + database, environment: environment, in: directory).status == 0)

        let text = try String(contentsOf: log, encoding: .utf8)
        let lines = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.count == text.split(separator: "\n").count, "every line is one JSON object")
        #expect(lines.map { $0["event"] as? String } == ["client.created", "client.secret_rotated", "keys.rotated", "client.deleted"])
        #expect(lines.allSatisfy { $0["time"] is String && $0["outcome"] as? String == "success" })
        #expect(lines.filter { $0["client_id"] as? String == id }.count == 3)
        #expect(!text.contains(secret) && !text.contains(newSecret))
        var status = stat()
        #expect(stat(log.path, &status) == 0 && status.st_mode & 0o777 == 0o600)
    }

    @Test("the audit log of a token flow has its events and none of the secrets or tokens used", .spec("ops.audit-log"))
    func auditOfTokenFlow() async throws {
        let directory = try CLI.makeDirectory()
        let log = directory.appendingPathComponent("audit.jsonl")
        let database = databaseArguments(.sqlite, in: directory)
        let created = try await CLI.launch(
            ["clients", "create", "--name", uniqueName("svc"), "--grant-type", "client_credentials", "--json"] + database, in: directory
        )
        let registration = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
        let id = try #require(registration["client_id"] as? String)
        let secret = try #require(registration["client_secret"] as? String)
        let server = try ServeProcess(arguments: database, environment: ["GATEHOUSE_AUDIT_LOG": log.path], in: directory)
        try await server.waitUntilReady()
        let headers = ["Authorization": HTTP.basic(id, secret), "Content-Type": "application/x-www-form-urlencoded"]
        let issued = try await HTTP.send("POST", "\(server.baseURL)/oauth2/token", headers: headers, body: "grant_type=client_credentials")
        let token = try #require(issued.json["access_token"] as? String)
        let revoked = try await HTTP.send("POST", "\(server.baseURL)/oauth2/token/revoke", headers: headers, body: "token=\(token)")
        #expect(revoked.status == 200)
        var wrong = headers
        wrong["Authorization"] = HTTP.basic(id, "wrong-secret")
        _ = try await HTTP.send("POST", "\(server.baseURL)/oauth2/token", headers: wrong, body: "grant_type=client_credentials")
        server.stop()
        #expect(server.process.terminationStatus == 0)
        let text = try String(contentsOf: log, encoding: .utf8)
        let events = text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["event"] as? String
        }
        #expect(events.count == text.split(separator: "\n").count, "every line is one JSON object")
        #expect(events.contains("token.revoked"), "\(events)")
        #expect(!text.contains(secret) && !text.contains(token) && !text.contains("wrong-secret"))
    }

    @Test("a half-sent request is closed after idle_timeout", .spec("ops.idle-timeout"))
    func idleTimeout() async throws {
        let directory = try CLI.makeDirectory()
        let server = try ServeProcess(environment: ["GATEHOUSE_IDLE_TIMEOUT": "1"], in: directory)
        defer { server.stop() }
        try await server.waitUntilReady()
        let socket = try RawSocket(port: server.port)
        defer { socket.close() }
        try socket.send("POST /oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n")
        let start = Date()
        // The server closes the connection: recv returns 0 (EOF) instead of blocking for good.
        let received = socket.receiveUntilClosed(timeout: 10)
        let elapsed = Date().timeIntervalSince(start)
        #expect(received.closed, "the connection was not closed")
        #expect(elapsed >= 0.5 && elapsed < 5, "closed after \(elapsed) s")
    }
}

/// A TCP connection written byte by byte, to send what no HTTP client would: half a request.
final class RawSocket {
    private let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw HarnessError("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HarnessError("connect failed") }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(descriptor, bytes, bytes.count, 0) == bytes.count else { throw HarnessError("send failed") }
    }

    /// Reads until the peer closes or `timeout` seconds pass.
    func receiveUntilClosed(timeout: Int) -> (closed: Bool, bytes: Int) {
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return (true, total) }
            if count < 0 { return (errno == ECONNRESET, total) }
            total += count
        }
    }

    func close() {
        Glibc.close(descriptor)
    }
}
