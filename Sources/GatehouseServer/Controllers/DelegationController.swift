import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import NIOCore

/// The admin API's login and consent requests (SPEC §10 "Delegated login and consent"): the
/// provider's own app reads a challenge and accepts or rejects it; ``AuthorizationInteraction``
/// decides, this only decodes and writes JSON.
///
/// The routes sit behind `BearerTokenMiddleware` with scope `gatehouse:admin` and the OAuth error
/// middleware, so every refusal has the shape and headers of SPEC §5.
struct DelegationController: Sendable {
    let interaction: AuthorizationInteraction
    let maxBodyBytes: Int

    /// Adds the routes to `group`, which carries the guard.
    func addRoutes(to group: RouterGroup<GatehouseRequestContext>) {
        group.get(RouterPath(EndpointPath.adminLoginRequest.path)) { _, context in
            let login = try await interaction.loginRequest(challenge: try Self.challenge(context))
            var json = JSONWriter()
            json.add("challenge", login.challenge)
            json.add("client_id", login.clientID)
            json.add("client_name", login.clientName)
            json.add("requested_scope", login.requestedScope)
            json.add("skip", login.skip)
            if let subject = login.subject { json.add("subject", subject) } else { json.add("subject", json: "null") }
            if let loginHint = login.loginHint { json.add("login_hint", loginHint) }
            return Self.json(json.finish())
        }
        group.put(RouterPath(EndpointPath.adminLoginAccept.path)) { request, context in
            let body = try Self.decode(LoginAcceptance.self, from: try await Self.body(of: request, maxBytes: maxBodyBytes))
            return Self.redirect(
                try await interaction.acceptLogin(
                    challenge: try Self.challenge(context), subject: body.subject, username: body.username, remember: body.remember ?? false
                )
            )
        }
        group.put(RouterPath(EndpointPath.adminLoginReject.path)) { request, context in
            try await reject(.login, request: request, context: context)
        }
        group.get(RouterPath(EndpointPath.adminConsentRequest.path)) { _, context in
            let consent = try await interaction.consentRequest(challenge: try Self.challenge(context))
            var json = JSONWriter()
            json.add("challenge", consent.challenge)
            json.add("client_id", consent.clientID)
            json.add("client_name", consent.clientName)
            json.add("subject", consent.subject)
            json.add("requested_scope", consent.requestedScope)
            json.add("previously_granted_scope", consent.previouslyGrantedScope)
            return Self.json(json.finish())
        }
        group.put(RouterPath(EndpointPath.adminConsentAccept.path)) { request, context in
            let body = try Self.decode(ConsentAcceptance.self, from: try await Self.body(of: request, maxBytes: maxBodyBytes))
            return Self.redirect(
                try await interaction.acceptConsent(
                    challenge: try Self.challenge(context), grantScope: body.grantScope, remember: body.remember ?? false
                )
            )
        }
        group.put(RouterPath(EndpointPath.adminConsentReject.path)) { request, context in
            try await reject(.consent, request: request, context: context)
        }
    }

    private func reject(_ kind: InteractionChallenge.Kind, request: Request, context: GatehouseRequestContext) async throws -> Response {
        let body = try Self.decode(Rejection.self, from: try await Self.body(of: request, maxBytes: maxBodyBytes), emptyObject: true)
        return Self.redirect(
            try await interaction.reject(challenge: try Self.challenge(context), kind: kind, error: body.error, description: body.errorDescription)
        )
    }

    struct LoginAcceptance: Decodable {
        let subject: String
        let username: String?
        let remember: Bool?
    }

    struct ConsentAcceptance: Decodable {
        let grantScope: [String]
        let remember: Bool?

        enum CodingKeys: String, CodingKey {
            case grantScope = "grant_scope"
            case remember
        }
    }

    struct Rejection: Decodable {
        let error: String?
        let errorDescription: String?

        enum CodingKeys: String, CodingKey {
            case error
            case errorDescription = "error_description"
        }
    }

    private static func challenge(_ context: GatehouseRequestContext) throws -> String {
        guard let raw = context.parameters.get("challenge"), let value = raw.removingPercentEncoding, !value.isEmpty else {
            throw OAuthError.invalidRequest("challenge missing or malformed", message: .malformedParameter)
        }
        return value
    }

    /// The body, at most `maxBytes` long. Its `Content-Type` is not checked: the calls take JSON
    /// by definition, and what decides is whether it parses.
    private static func body(of request: Request, maxBytes: Int) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw OAuthError.bodyTooLarge(limit: maxBytes)
        }
        do {
            return Array(try await request.body.collect(upTo: maxBytes).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw OAuthError.bodyTooLarge(limit: maxBytes)
        }
    }

    /// SPEC §10: malformed JSON and members of the wrong type are `400 invalid_request`; a member
    /// of the wrong type is refused, never converted.
    private static func decode<Body: Decodable>(_ type: Body.Type, from bytes: [UInt8], emptyObject: Bool = false) throws -> Body {
        let isBlank = bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        if isBlank && !emptyObject {
            throw OAuthError.invalidRequest("delegation call without a JSON body", message: .missingParameter)
        }
        do {
            return try JSONDecoder().decode(Body.self, from: isBlank ? Data("{}".utf8) : Data(bytes))
        } catch DecodingError.keyNotFound(let key, _) {
            throw OAuthError.invalidRequest("delegation call without \(key.stringValue)", message: .missingParameter)
        } catch {
            throw OAuthError.invalidRequest("delegation call body is not JSON of the expected shape", message: .malformedParameter)
        }
    }

    private static func redirect(_ location: String) -> Response {
        var json = JSONWriter()
        json.add("redirect_to", location)
        return Self.json(json.finish())
    }

    /// Challenges lead to a user's authorization: no cache may keep the answer.
    private static func json(_ body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        OAuthResponder.addNoStore(to: &headers)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
