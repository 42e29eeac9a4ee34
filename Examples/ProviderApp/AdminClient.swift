import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The calls of Gatehouse's admin API (SPEC §10) that a provider's login and consent app makes,
/// with an access token of scope `gatehouse:admin` obtained by client_credentials and reused
/// until shortly before it expires.
actor AdminClient {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let issuer: String
    private let clientID: String
    private let clientSecret: String
    private let http: HTTPClient
    private var token: (value: String, expiresAt: Date)?

    init(issuer: String, clientID: String, clientSecret: String, http: HTTPClient) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.http = http
    }

    struct LoginRequest: Decodable, Sendable {
        let challenge: String
        let clientName: String
        let requestedScope: [String]
        let skip: Bool
        let subject: String?
    }

    struct ConsentRequest: Decodable, Sendable {
        let challenge: String
        let clientName: String
        let subject: String
        let requestedScope: [String]
    }

    struct LoginAcceptance: Encodable, Sendable {
        let subject: String
        let username: String?
        let remember: Bool
    }

    struct ConsentAcceptance: Encodable, Sendable {
        let grantScope: [String]
        let remember: Bool
    }

    struct Rejection: Encodable, Sendable {
        var error = "access_denied"
        let errorDescription: String
    }

    private struct Redirect: Decodable {
        let redirectTo: String
    }

    private struct Empty: Encodable {}

    func loginRequest(_ challenge: String) async throws -> LoginRequest {
        try await call("GET", "/admin/v1/login-requests/\(Self.formEncoded(challenge))", body: Empty?.none)
    }

    func consentRequest(_ challenge: String) async throws -> ConsentRequest {
        try await call("GET", "/admin/v1/consent-requests/\(Self.formEncoded(challenge))", body: Empty?.none)
    }

    /// Accepts or rejects a login or consent request (`kind` is `login` or `consent`, `verdict`
    /// `accept` or `reject`); answers where to send the browser.
    func decide(_ kind: String, challenge: String, verdict: String, body: some Encodable & Sendable) async throws -> String {
        let answer: Redirect = try await call(
            "PUT", "/admin/v1/\(kind)-requests/\(Self.formEncoded(challenge))/\(verdict)", body: body
        )
        return answer.redirectTo
    }

    private func call<Answer: Decodable>(_ method: String, _ path: String, body: (some Encodable)?) async throws -> Answer {
        var request = HTTPClientRequest(url: issuer + path)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(try await accessToken())")
        if let body {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try encoder.encode(body)))
        }
        let response = try await http.execute(request, timeout: .seconds(10))
        let data = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        guard response.status == .ok else {
            throw Failure(description: "\(method) \(path): \(response.status.code) \(String(decoding: data, as: UTF8.self))")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Answer.self, from: data)
    }

    private func accessToken() async throws -> String {
        if let token, token.expiresAt > Date() { return token.value }
        var request = HTTPClientRequest(url: issuer + "/oauth2/token")
        request.method = .POST
        let credentials = Data("\(Self.formEncoded(clientID)):\(Self.formEncoded(clientSecret))".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "grant_type=client_credentials&scope=gatehouse%3Aadmin"))
        let response = try await http.execute(request, timeout: .seconds(10))
        let data = Data(try await response.body.collect(upTo: 1 << 16).readableBytesView)
        guard response.status == .ok, let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let value = answer["access_token"] as? String
        else {
            throw Failure(description: "no admin token: \(response.status.code) \(String(decoding: data, as: UTF8.self))")
        }
        let lifetime = (answer["expires_in"] as? Double) ?? 60
        // Renew a little early, so a token never expires between this check and Gatehouse's.
        token = (value, Date().addingTimeInterval(max(lifetime - 10, 1)))
        return value
    }

    /// RFC 6749 §2.3.1: client credentials are form-encoded before they are put in Basic.
    static func formEncoded(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
