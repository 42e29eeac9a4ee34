import GatehouseCore
import HTTPTypes
import Hummingbird

/// `POST /oauth2/token/revoke` (RFC 7009) and `POST /oauth2/introspect` (RFC 7662).
struct TokenManagementController: Sendable {
    let revocation: RevocationEndpoint
    let introspection: IntrospectionEndpoint
    let maxBodyBytes: Int
    let addresses: ClientAddressResolver

    /// RFC 7009 §2.2: 200 with an empty body, whether or not the token existed.
    func revoke(_ request: Request, context: some RemoteAddressRequestContext) async throws -> Response {
        let parameters = try await request.formParameters(maxBytes: maxBodyBytes)
        try await revocation.handle(
            parameters: parameters, authorization: request.headers[.authorization], address: addresses.address(of: request, context: context)
        )
        var headers = HTTPFields()
        OAuthResponder.addNoStore(to: &headers)
        return Response(status: .ok, headers: headers)
    }

    /// RFC 7662 §2.2: the claims of an active token, or `{"active":false}`.
    func introspect(_ request: Request, context: some RemoteAddressRequestContext) async throws -> Response {
        let parameters = try await request.formParameters(maxBytes: maxBodyBytes)
        let answer = try await introspection.handle(
            parameters: parameters, authorization: request.headers[.authorization], address: addresses.address(of: request, context: context)
        )
        var json = JSONWriter()
        json.add("active", answer.active)
        if answer.active {
            if let scope = answer.scope { json.add("scope", scope.description) }
            if let clientID = answer.clientID { json.add("client_id", clientID) }
            if let username = answer.username { json.add("username", username) }
            if let tokenType = answer.tokenType { json.add("token_type", tokenType) }
            if let expiresAt = answer.expiresAt { json.add("exp", expiresAt) }
            if let issuedAt = answer.issuedAt { json.add("iat", issuedAt) }
            if let subject = answer.subject { json.add("sub", subject) }
            if let issuer = answer.issuer { json.add("iss", issuer) }
            if let tokenID = answer.tokenID { json.add("jti", tokenID) }
            // RFC 7662 §2.2: a string, or an array for several audiences, as in the JWT (RFC 7519 §4.1.3).
            if let audience = answer.audience {
                if audience.count == 1 { json.add("aud", audience[0]) } else { json.add("aud", audience) }
            }
            // RFC 8693 §4.4: "act" as in the JWT.
            if let actor = answer.actor { json.add("act", json: actor.json) }
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        OAuthResponder.addNoStore(to: &headers)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json.finish())))
    }
}
