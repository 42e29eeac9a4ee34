import GatehouseCore
import Hummingbird

/// `POST /oauth2/token`: decode, call the core endpoint, encode.
struct TokenController: Sendable {
    let endpoint: TokenEndpoint
    let responder: OAuthResponder
    let maxBodyBytes: Int
    let addresses: ClientAddressResolver

    func token(_ request: Request, context: some RemoteAddressRequestContext) async throws -> Response {
        let parameters = try await request.formParameters(maxBytes: maxBodyBytes)
        let token = try await endpoint.handle(
            parameters: parameters, authorization: request.headers[.authorization], address: addresses.address(of: request, context: context)
        )
        return responder.response(for: token)
    }
}
