import GatehouseCore
import Hummingbird

/// `POST /oauth2/device_authorization` (RFC 8628 §3.1): decode, call the core endpoint, encode.
struct DeviceAuthorizationController: Sendable {
    let endpoint: DeviceAuthorizationEndpoint
    let responder: OAuthResponder
    let maxBodyBytes: Int
    let addresses: ClientAddressResolver

    /// RFC 8628 §3.2: 200 with the codes, the verification URIs, `expires_in` and `interval`,
    /// never cached.
    func authorize(_ request: Request, context: some RemoteAddressRequestContext) async throws -> Response {
        let parameters = try await request.formParameters(maxBytes: maxBodyBytes)
        let answer = try await endpoint.handle(
            parameters: parameters, authorization: request.headers[.authorization], address: addresses.address(of: request, context: context)
        )
        var json = JSONWriter()
        json.add("device_code", answer.deviceCode)
        json.add("user_code", answer.userCode)
        json.add("verification_uri", answer.verificationURI)
        json.add("verification_uri_complete", answer.verificationURIComplete)
        json.add("expires_in", answer.expiresIn)
        json.add("interval", answer.interval)
        return responder.jsonResponse(json.finish(), status: .ok, noStore: true)
    }
}
