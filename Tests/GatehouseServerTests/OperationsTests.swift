import AsyncHTTPClient
import Crypto
import Foundation
import GatehouseCore
import GatehouseResource
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Testing

@testable import GatehouseServer

/// A row of the RFC 6750 table that has an error code, asked in German.
struct ResourceErrorRow: Sendable, CustomTestStringConvertible {
    let situation: String
    let authorization: @Sendable (_ readToken: String) -> String
    let status: HTTPResponse.Status
    let error: OAuthErrorCode
    var testDescription: String { situation }

    static let all: [ResourceErrorRow] = [
        ResourceErrorRow(situation: "Bearer without a token", authorization: { _ in "Bearer" }, status: .badRequest, error: .invalidRequest),
        ResourceErrorRow(situation: "unknown token", authorization: { _ in "Bearer gtha_unknown" }, status: .unauthorized, error: .invalidToken),
        ResourceErrorRow(situation: "token lacking the scope", authorization: { "Bearer \($0)" }, status: .forbidden, error: .insufficientScope),
    ]
}

@Suite("Operations: resource errors, HEAD, metrics, limits, escaping")
struct OperationsTests {
    @Test(
        "errors of /api/me carry the SPEC §5 headers, error_uri and a German description besides WWW-Authenticate",
        .spec("ops.resource-errors"), .spec("errors.status.401"), .spec("errors.status.403"), arguments: Backend.available, ResourceErrorRow.all
    )
    func resourceErrorPresentation(backend: Backend, row: ResourceErrorRow) async throws {
        try await LiveServer.run(backend) { server in
            let (_, readToken) = try await server.serviceToken(scopes: ["read"])
            var headers = HTTPFields()
            headers[.authorization] = row.authorization(readToken)
            headers[.acceptLanguage] = "de"
            let response = try await server.send(.get, "/api/me", headers: headers)
            expectOAuthError(response, status: row.status, error: row.error, language: "de")
            let german = ErrorCatalog.entry(for: row.error).message.text(in: "de")
            #expect(response.json["error_description"] as? String == german)
            #expect(german != ErrorCatalog.entry(for: row.error).message.english)
            let challenge = response.headers[.wwwAuthenticate] ?? ""
            #expect(challenge.hasPrefix("Bearer realm=\"gatehouse\""), "\(challenge)")
            #expect(challenge.contains("error=\"\(row.error.rawValue)\""), "\(challenge)")
        }
    }

    @Test("HEAD is answered on every GET endpoint, without a body", .spec("ops.head"), arguments: Backend.available)
    func head(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            for path in ["/.well-known/oauth-authorization-server", "/oauth2/jwks", "/healthz", "/readyz", "/docs/errors", "/metrics"] {
                let get = try await server.send(.get, path)
                let head = try await server.send(.head, path)
                #expect(get.status == .ok, "GET \(path)")
                #expect(head.status == .ok, "HEAD \(path)")
                #expect(head.body.readableBytes == 0, "HEAD \(path)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "HEAD \(path)")
            }
            let me = try await server.send(.head, "/api/me")
            #expect(me.status == .unauthorized)
        }
    }

    @Test("GET /metrics parses, and the token route's counter moves by exactly the requests made", .spec("ops.metrics"), arguments: Backend.available)
    func metrics(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let client = try await server.register()
            _ = try await server.token(form: "grant_type=client_credentials", authorization: client.basicAuthorization)
            let before = try PrometheusText(try await server.send(.get, "/metrics").text)
            let okBefore = before.value("gatehouse_http_requests_total", ["route": "/oauth2/token", "method": "POST", "status": "200"])
            let badBefore = before.value("gatehouse_http_requests_total", ["route": "/oauth2/token", "method": "POST", "status": "401"])
            for _ in 0..<5 {
                let response = try await server.token(form: "grant_type=client_credentials", authorization: client.basicAuthorization)
                #expect(response.status == .ok)
            }
            for _ in 0..<2 {
                let response = try await server.token(form: "grant_type=client_credentials", authorization: "Basic d3Jvbmc6d3Jvbmc=")
                #expect(response.status == .unauthorized)
            }
            _ = try await server.send(.get, "/no/such/\(UUID().uuidString)")
            let scrape = try await server.send(.get, "/metrics")
            #expect(scrape.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let after = try PrometheusText(scrape.text)
            #expect(after.value("gatehouse_http_requests_total", ["route": "/oauth2/token", "method": "POST", "status": "200"]) == okBefore + 5)
            #expect(after.value("gatehouse_http_requests_total", ["route": "/oauth2/token", "method": "POST", "status": "401"]) == badBefore + 2)
            #expect(after.types["gatehouse_http_request_duration_seconds"] == "histogram")
            #expect(after.value("gatehouse_http_request_duration_seconds_count", ["route": "/oauth2/token"]) >= 7)
            #expect(after.types["process_cpu_seconds_total"] == "counter")
            #expect(after.value("process_resident_memory_bytes", [:]) > 0)
            // The route pattern, never the raw path; no client id anywhere.
            #expect(!scrape.text.contains("/no/such/"))
            #expect(!scrape.text.contains(client.id))
        }
    }

    @Test("a chunked body over max_body_bytes gets 413 invalid_request, not 500", .spec("errors.status.413"), arguments: Backend.available)
    func chunkedBodyTooLarge(backend: Backend) async throws {
        try await LiveServer.run(backend) { server in
            let port = try #require(server.client.port)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/oauth2/token")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let chunk = ByteBuffer(string: "grant_type=client_credentials&pad=" + String(repeating: "a", count: 8192))
            let chunks = AsyncStream<ByteBuffer> { continuation in
                for _ in 0..<16 { continuation.yield(chunk) }
                continuation.finish()
            }
            request.body = .stream(chunks, length: .unknown)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 16)
            #expect(response.status.code == 413)
            let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any]
            #expect(json?["error"] as? String == "invalid_request")
        }
    }

    @Test("page values are escaped per Unicode scalar: a quote followed by a combining accent cannot leave an attribute")
    func combiningAccentAfterQuote() throws {
        let pages = try HTMLPages(locales: ["en"])
        let hostile = "x\"\u{301} autofocus onfocus=alert(1) x=\"\u{301}"
        let html = pages.loginPage(language: "en", clientName: "c", csrfToken: "t", username: hostile)
        let unescaped = "\"\u{301} autofocus"
        let escaped = "&quot;\u{301} autofocus onfocus=alert(1)"
        #expect(!html.contains(unescaped))
        #expect(html.contains(escaped))
        #expect(ScalarHTMLContentType.escape("<a href='x'>&") == "&lt;a href=&#39;x&#39;&gt;&amp;")
    }

    @Test("keys at rest: salted sealing, old aesgcm keys still open, an unsealed key is refused when a secret is set", .spec("ops.keys-at-rest"))
    func keySealing() throws {
        let key = SigningKey.generate(now: Date())
        let sealing = KeyEncryption(secret: "s3cret")
        let first = try sealing.seal(key.privateKey)
        let second = try sealing.seal(key.privateKey)
        #expect(first.hasPrefix("aesgcm2:") && first != second, "a fresh salt per sealed key")
        #expect(try sealing.open(first).rawRepresentation == key.privateKey.rawRepresentation)
        #expect(throws: KeyEncryptionError.self) { try KeyEncryption(secret: "other").open(first) }
        // The format before salting: AES-GCM under SHA-256 of the secret.
        let legacyKey = SymmetricKey(data: SHA256.hash(data: Array("s3cret".utf8)))
        let legacyBox = try #require(try AES.GCM.seal(key.privateKey.rawRepresentation, using: legacyKey).combined)
        let legacy = "aesgcm:" + legacyBox.base64EncodedString()
        #expect(try sealing.open(legacy).rawRepresentation == key.privateKey.rawRepresentation)
        #expect(try sealing.resealed(legacy)?.hasPrefix("aesgcm2:") == true)
        let plain = try KeyEncryption(secret: nil).seal(key.privateKey)
        #expect(throws: KeyEncryptionError.self) { try sealing.open(plain) }
        let resealed = try #require(try sealing.resealed(plain))
        #expect(try sealing.open(resealed).rawRepresentation == key.privateKey.rawRepresentation)
        #expect(try sealing.resealed(resealed) == nil)
    }

    // SQLite only: the PostgreSQL test database is shared by every test, and sealing its keys
    // under a test secret would lock every other server out of them.
    @Test("keys found unsealed are sealed at start when a key-encryption secret is set", .spec("ops.keys-at-rest"))
    func unsealedKeysSealedAtStart() async throws {
        try await TestDatabase.with(.sqlite) { database in
            let configuration = ServerConfiguration(issuer: LiveServer.issuer)
            let unsealed = ServerSettings(host: "127.0.0.1", port: 0, configuration: configuration)
            try await GatehouseApplication.prepareSigningKeys(settings: unsealed, store: database.store)
            #expect(try await database.store.signingKeys().allSatisfy { $0.sealedPrivateKey.hasPrefix("plain:") })
            let sealed = ServerSettings(
                host: "127.0.0.1", port: 0, configuration: configuration, keyEncryption: KeyEncryption(secret: "s3cret")
            )
            try await GatehouseApplication.prepareSigningKeys(settings: sealed, store: database.store)
            let stored = try await database.store.signingKeys()
            #expect(!stored.isEmpty && stored.allSatisfy { $0.sealedPrivateKey.hasPrefix("aesgcm2:") })
        }
    }

    @Test("an audit line is one JSON object with time, event, outcome and the fields that apply", .spec("ops.audit-log"))
    func auditLine() throws {
        let event = SecurityEvent(
            .tokenRevoked, time: Date(timeIntervalSince1970: 1_800_000_000), clientID: "c\n{\"forged\":1}", reason: "revocation", count: 2
        )
        let line = AuditLogWriter.line(for: event)
        #expect(!line.contains("\n"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(json["time"] as? String == "2027-01-15T08:00:00.000Z")
        #expect(json["event"] as? String == "token.revoked")
        #expect(json["outcome"] as? String == "success")
        #expect(json["client_id"] as? String == "c\n{\"forged\":1}")
        #expect(json["reason"] as? String == "revocation")
        #expect(json["subject"] == nil)
    }
}

/// A strict reader of the Prometheus text format 0.0.4: every line is a comment, `# HELP`,
/// `# TYPE` or a sample `name{label="value",...} number` of a declared family.
struct PrometheusText {
    struct Sample {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    var types: [String: String] = [:]
    var samples: [Sample] = []

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    init(_ text: String) throws {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                    throw ParseError(description: "bad TYPE line: \(line)")
                }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            samples.append(try Self.sample(String(line)))
        }
        for sample in samples {
            let family = [sample.name, sample.name.replacing(/_(bucket|sum|count)$/, with: "")].first { types[$0] != nil }
            guard family != nil else { throw ParseError(description: "sample of an undeclared family: \(sample.name)") }
            if sample.name.hasSuffix("_bucket"), sample.labels["le"] == nil {
                throw ParseError(description: "bucket without le: \(sample.name)")
            }
        }
    }

    private static func sample(_ line: String) throws -> Sample {
        let nameEnd = line.firstIndex { $0 == "{" || $0 == " " } ?? line.endIndex
        let name = String(line[..<nameEnd])
        guard name.wholeMatch(of: /[a-zA-Z_:][a-zA-Z0-9_:]*/) != nil else { throw ParseError(description: "bad name in \(line)") }
        var labels: [String: String] = [:]
        var rest = line[nameEnd...]
        if rest.first == "{" {
            guard let close = rest.lastIndex(of: "}") else { throw ParseError(description: "unclosed labels in \(line)") }
            let body = rest[rest.index(after: rest.startIndex)..<close]
            for match in body.matches(of: /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/) {
                labels[String(match.1)] = String(match.2)
            }
            let rebuilt = labels.count
            guard rebuilt == body.matches(of: /="/).count else { throw ParseError(description: "bad labels in \(line)") }
            rest = rest[rest.index(after: close)...]
        }
        let valueText = rest.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
        guard let value = Double(valueText) ?? (valueText == "+Inf" ? .infinity : nil) else {
            throw ParseError(description: "bad value in \(line)")
        }
        return Sample(name: name, labels: labels, value: value)
    }

    /// The value of the sample with exactly these labels (0 when absent: a counter not yet moved).
    func value(_ name: String, _ labels: [String: String]) -> Double {
        samples.first { $0.name == name && $0.labels == labels }?.value ?? 0
    }
}
