import Foundation
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("The gatehouse command")
struct CLITests {
    /// `--database` for a backend; SQLite uses the default `gatehouse.sqlite` in the working directory.
    private func databaseArguments(_ backend: Backend) -> [String] {
        switch backend {
        case .sqlite: []
        case .postgres: ["--database", Backend.postgresURL ?? ""]
        }
    }

    @Test("register a client, serve, get a token; the token survives kill -9", arguments: Backend.available)
    func quickStart(backend: Backend) async throws {
        let directory = try CLI.makeDirectory()
        let database = databaseArguments(backend)
        let created = try await CLI.launch(
            ["clients", "create", "--name", uniqueName("svc"), "--grant-type", "client_credentials", "--scope", "read write", "--json"] + database,
            in: directory
        )
        #expect(created.status == 0, "\(created.stderr)")
        let registration = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
        let id = try #require(registration["client_id"] as? String)
        let secret = try #require(registration["client_secret"] as? String)
        #expect(secret.hasPrefix("gths_"))

        let server = try ServeProcess(arguments: database, in: directory)
        try await server.waitUntilReady()
        let token = try await HTTP.send(
            "POST", "\(server.baseURL)/oauth2/token",
            headers: ["Authorization": HTTP.basic(id, secret), "Content-Type": "application/x-www-form-urlencoded"],
            body: "grant_type=client_credentials"
        )
        #expect(token.status == 200)
        #expect(token.header("Cache-Control") == "no-store")
        #expect(token.header("Pragma") == "no-cache")
        let accessToken = try #require(token.json["access_token"] as? String)

        let refused = try await HTTP.send(
            "POST", "\(server.baseURL)/oauth2/token",
            headers: ["Authorization": HTTP.basic(id, "wrong"), "Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "de"],
            body: "grant_type=client_credentials"
        )
        #expect(refused.status == 401)
        #expect(refused.header("WWW-Authenticate")?.hasPrefix("Basic realm=") == true)
        #expect(refused.header("Content-Language") == "de")
        #expect(refused.json["error_description"] as? String == ErrorMessage.invalidClient.text(in: "de"))

        server.stop(signal: SIGKILL)
        if backend == .sqlite {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("gatehouse.sqlite").path))
        }
        let url =
            backend == .sqlite
            ? DatabaseURL.sqlite(path: directory.appendingPathComponent("gatehouse.sqlite").path)
            : try DatabaseURL(parsing: Backend.postgresURL ?? "")
        let reopened = try await Database.open(url, logger: .init(label: "test"))
        let record = try await SQLStore(database: reopened).accessToken(hash: SecretHasher.hash(accessToken))
        await reopened.close()
        #expect(record?.clientID == id)
    }

    @Test("flags override GATEHOUSE_* variables, which override the config file")
    func configurationPrecedence() async throws {
        let directory = try CLI.makeDirectory()
        let yaml = directory.appendingPathComponent("gatehouse.yaml")
        try "issuer: http://from-file.test\naccess_token_ttl: 120\nlocales: en fr\n".write(to: yaml, atomically: true, encoding: .utf8)
        let created = try await CLI.launch(["clients", "create", "--name", "svc", "--grant-type", "client_credentials", "--json"], in: directory)
        let registration = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
        let id = try #require(registration["client_id"] as? String)
        let secret = try #require(registration["client_secret"] as? String)

        func issuer(arguments: [String], environment: [String: String]) async throws -> (issuer: String?, ttl: Int?) {
            let server = try ServeProcess(arguments: arguments, environment: environment, in: directory)
            defer { server.stop() }
            try await server.waitUntilReady()
            let metadata = try await HTTP.send("GET", "\(server.baseURL)/.well-known/oauth-authorization-server")
            let token = try await HTTP.send(
                "POST", "\(server.baseURL)/oauth2/token",
                headers: ["Authorization": HTTP.basic(id, secret), "Content-Type": "application/x-www-form-urlencoded"],
                body: "grant_type=client_credentials"
            )
            return (metadata.json["issuer"] as? String, token.json["expires_in"] as? Int)
        }

        let fromFile = try await issuer(arguments: ["--config", yaml.path], environment: [:])
        #expect(fromFile.issuer == "http://from-file.test")
        #expect(fromFile.ttl == 120)
        let fromEnvironment = try await issuer(arguments: [], environment: ["GATEHOUSE_CONFIG": yaml.path, "GATEHOUSE_ISSUER": "http://from-env.test"])
        #expect(fromEnvironment.issuer == "http://from-env.test")
        #expect(fromEnvironment.ttl == 120)
        let fromFlag = try await issuer(
            arguments: ["--config", yaml.path, "--issuer", "http://from-flag.test"],
            environment: ["GATEHOUSE_ISSUER": "http://from-env.test", "GATEHOUSE_ACCESS_TOKEN_TTL": "90"]
        )
        #expect(fromFlag.issuer == "http://from-flag.test")
        #expect(fromFlag.ttl == 90)

        let json = directory.appendingPathComponent("gatehouse.json")
        try #"{"issuer": "http://json.test", "access_token_ttl": 300}"#.write(to: json, atomically: true, encoding: .utf8)
        let fromJSON = try await issuer(arguments: ["--config", json.path], environment: [:])
        #expect(fromJSON.issuer == "http://json.test")
        #expect(fromJSON.ttl == 300)
    }

    struct BadInput: Sendable, CustomTestStringConvertible {
        let situation: String
        let arguments: [String]
        var environment: [String: String] = [:]
        var files: [String: String] = [:]
        var testDescription: String { situation }
    }

    static let badInputs: [BadInput] = [
        BadInput(situation: "unknown option", arguments: ["clients", "list", "--bogus"]),
        BadInput(situation: "unknown command", arguments: ["frobnicate"]),
        BadInput(situation: "missing --name", arguments: ["clients", "create"]),
        BadInput(situation: "malformed database URL", arguments: ["clients", "list", "--database", "mysql://root@localhost/db"]),
        BadInput(situation: "unreachable database", arguments: ["clients", "list", "--database", "postgres://u:p@127.0.0.1:1/db"]),
        BadInput(situation: "duplicate client name", arguments: ["clients", "create", "--name", "taken"]),
        BadInput(situation: "unknown grant type", arguments: ["clients", "create", "--name", "x", "--grant-type", "password"]),
        BadInput(
            situation: "public client with client_credentials",
            arguments: ["clients", "create", "--name", "x", "--public", "--grant-type", "client_credentials"]),
        BadInput(situation: "relative redirect URI", arguments: ["clients", "create", "--name", "x", "--redirect-uri", "/cb"]),
        BadInput(situation: "redirect URI with a fragment", arguments: ["clients", "create", "--name", "x", "--redirect-uri", "https://a.example/cb#x"]),
        BadInput(situation: "javascript: redirect URI", arguments: ["clients", "create", "--name", "x", "--redirect-uri", "javascript:alert(1)"]),
        BadInput(situation: "http redirect URI on a public host", arguments: ["clients", "create", "--name", "x", "--redirect-uri", "http://app.example/cb"]),
        BadInput(
            situation: "private-use scheme for a confidential client",
            arguments: ["clients", "create", "--name", "x", "--redirect-uri", "com.example.app:/cb"]),
        BadInput(situation: "trusted proxy that is not a CIDR", arguments: ["clients", "list"], environment: ["GATEHOUSE_TRUSTED_PROXIES": "10.0.0.0/33"]),
        BadInput(situation: "unknown pkce_required_for", arguments: ["clients", "list"], environment: ["GATEHOUSE_PKCE_REQUIRED_FOR": "some"]),
        BadInput(situation: "unknown log format", arguments: ["clients", "list"], environment: ["GATEHOUSE_LOG_FORMAT": "xml"]),
        BadInput(situation: "scope with a forbidden character", arguments: ["clients", "create", "--name", "x", "--scope", "a\"b"]),
        BadInput(situation: "unknown token format", arguments: ["clients", "create", "--name", "x", "--token-format", "saml"]),
        BadInput(situation: "unknown client id", arguments: ["clients", "show", "nope"]),
        BadInput(situation: "delete unknown client", arguments: ["clients", "delete", "nope"]),
        BadInput(situation: "rotate unknown client", arguments: ["clients", "rotate-secret", "nope"]),
        BadInput(situation: "user without a password", arguments: ["users", "create", "--username", "a"]),
        BadInput(situation: "delete unknown user", arguments: ["users", "delete", "nobody"]),
        BadInput(situation: "tokens revoke without a target", arguments: ["tokens", "revoke"]),
        BadInput(situation: "tokens revoke with two targets", arguments: ["tokens", "revoke", "--client", "a", "--user", "b"]),
        BadInput(situation: "tokens revoke for an unknown client", arguments: ["tokens", "revoke", "--client", "nope"]),
        BadInput(situation: "tokens revoke for an unknown user", arguments: ["tokens", "revoke", "--user", "nobody"]),
        BadInput(situation: "invalid TTL in the environment", arguments: ["clients", "list"], environment: ["GATEHOUSE_ACCESS_TOKEN_TTL": "soon"]),
        BadInput(situation: "unknown error profile", arguments: ["clients", "list"], environment: ["GATEHOUSE_ERROR_PROFILE": "sell"]),
        BadInput(situation: "unknown locale", arguments: ["clients", "list"], environment: ["GATEHOUSE_LOCALES": "en xx"]),
        BadInput(situation: "issuer with a query", arguments: ["serve", "--issuer", "https://a.example/?x=1"]),
        BadInput(situation: "port out of range", arguments: ["serve", "--port", "70000"]),
        BadInput(situation: "missing config file", arguments: ["clients", "list", "--config", "nope.yaml"]),
        BadInput(situation: "malformed YAML config", arguments: ["clients", "list", "--config", "bad.yaml"], files: ["bad.yaml": "issuer: [unclosed\n"]),
        BadInput(situation: "config file of an unknown kind", arguments: ["clients", "list", "--config", "c.toml"], files: ["c.toml": "a = 1\n"]),
    ]

    @Test("bad input gets one line on stderr and a non-zero exit, and writes nothing", arguments: badInputs)
    func badInput(input: BadInput) async throws {
        let directory = try CLI.makeDirectory()
        for (name, content) in input.files {
            try content.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let setup = try await CLI.launch(["clients", "create", "--name", "taken", "--json"], in: directory)
        #expect(setup.status == 0)
        let result = try await CLI.launch(input.arguments, environment: input.environment, in: directory)
        #expect(result.status != 0)
        let lines = result.stderr.split(whereSeparator: \.isNewline).filter { !$0.contains(" info ") && !$0.contains(" warning ") }
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(lines.first?.hasPrefix("gatehouse: ") == true, "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Backtrace"))
        let listed = try await CLI.launch(["clients", "list", "--json"], in: directory)
        let clients = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
        #expect(clients?.map { $0["name"] as? String } == ["taken"])
    }

    @Test("users: create from stdin, list, delete")
    func users() async throws {
        let directory = try CLI.makeDirectory()
        let created = try await CLI.launch(["users", "create", "--username", "alice", "--password-stdin"], stdin: "correct horse\n", in: directory)
        #expect(created.status == 0, "\(created.stderr)")
        let duplicate = try await CLI.launch(["users", "create", "--username", "alice", "--password", "x"], in: directory)
        #expect(duplicate.status != 0)
        let listed = try await CLI.launch(["users", "list", "--json"], in: directory)
        let users = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
        #expect(users?.map { $0["username"] as? String } == ["alice"])
        #expect(!listed.stdout.contains("correct horse"))
        #expect(try await CLI.launch(["users", "delete", "alice"], in: directory).status == 0)
        #expect(try await CLI.launch(["users", "list"], in: directory).stdout.contains("no users"))
    }

    @Test("clients: show, list, rotate-secret, delete")
    func clientLifecycle() async throws {
        let directory = try CLI.makeDirectory()
        let created = try await CLI.launch(
            [
                "clients", "create", "--name", "web", "--redirect-uri", "http://127.0.0.1:9000/cb", "--scope", "profile read", "--grant-type",
                "client_credentials", "--json",
            ],
            in: directory
        )
        let registration = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
        let id = try #require(registration["client_id"] as? String)
        let oldSecret = try #require(registration["client_secret"] as? String)
        #expect(registration["redirect_uris"] as? [String] == ["http://127.0.0.1:9000/cb"])

        let shown = try await CLI.launch(["clients", "show", id, "--json"], in: directory)
        let details = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        #expect(details["scope"] as? String == "profile read")
        #expect(details["client_secret"] == nil)

        let rotated = try await CLI.launch(["clients", "rotate-secret", id, "--json"], in: directory)
        let newSecret = try #require((try JSONSerialization.jsonObject(with: Data(rotated.stdout.utf8)) as? [String: Any])?["client_secret"] as? String)
        #expect(newSecret != oldSecret)

        let server = try ServeProcess(in: directory)
        try await server.waitUntilReady()
        func token(_ secret: String) async throws -> Int {
            try await HTTP.send(
                "POST", "\(server.baseURL)/oauth2/token",
                headers: ["Authorization": HTTP.basic(id, secret), "Content-Type": "application/x-www-form-urlencoded"],
                body: "grant_type=client_credentials"
            ).status
        }
        #expect(try await token(newSecret) == 200)
        #expect(try await token(oldSecret) == 401)
        server.stop()

        let publicClient = try await CLI.launch(["clients", "create", "--name", "spa", "--public", "--json"], in: directory)
        let publicID = try #require((try JSONSerialization.jsonObject(with: Data(publicClient.stdout.utf8)) as? [String: Any])?["client_id"] as? String)
        #expect(!publicClient.stdout.contains("client_secret"))
        #expect(try await CLI.launch(["clients", "rotate-secret", publicID], in: directory).status != 0)

        #expect(try await CLI.launch(["clients", "delete", id], in: directory).status == 0)
        #expect(try await CLI.launch(["clients", "show", id], in: directory).status != 0)
        #expect(try await CLI.launch(["migrate"], in: directory).stdout.contains("schema is current"))
    }

    @Test("tokens revoke --client makes every token of the client inactive at once")
    func revokeClientTokens() async throws {
        let directory = try CLI.makeDirectory()
        let created = try await CLI.launch(["clients", "create", "--name", "svc", "--grant-type", "client_credentials", "--json"], in: directory)
        let registration = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
        let id = try #require(registration["client_id"] as? String)
        let secret = try #require(registration["client_secret"] as? String)
        let server = try ServeProcess(in: directory)
        try await server.waitUntilReady()
        let form = ["Authorization": HTTP.basic(id, secret), "Content-Type": "application/x-www-form-urlencoded"]
        let token = try await HTTP.send("POST", "\(server.baseURL)/oauth2/token", headers: form, body: "grant_type=client_credentials")
        let accessToken = try #require(token.json["access_token"] as? String)

        let revoked = try await CLI.launch(["tokens", "revoke", "--client", id], in: directory)
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(revoked.stdout.contains("revoked 1 token"))
        let introspected = try await HTTP.send("POST", "\(server.baseURL)/oauth2/introspect", headers: form, body: "token=\(accessToken)")
        #expect(introspected.json["active"] as? Bool == false)
        server.stop()
    }
}
