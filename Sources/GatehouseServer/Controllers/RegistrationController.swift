import GatehouseCore
import GatehouseResource
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /oauth2/register` (RFC 7591) and `GET/PUT/DELETE /oauth2/register/{client_id}` (RFC 7592):
/// decode, call ``RegistrationEndpoint``, encode. Errors are thrown to ``OAuthErrorMiddleware``,
/// which answers them in the format of SPEC §5.
struct RegistrationController: Sendable {
    let endpoint: RegistrationEndpoint
    let mode: ServerConfiguration.RegistrationMode
    let maxBodyBytes: Int
    let addresses: ClientAddressResolver

    /// The routes, under `group` (which answers errors): in `token` mode registration sits behind
    /// `guard`, the bearer middleware that demands a `gatehouse:register` access token (any other is
    /// `401 invalid_token`, see ``RegistrationTokenVerifier``); with registration `off` every call is
    /// `404 not_found` before anything else is looked at.
    func addRoutes(to group: RouterGroup<GatehouseRequestContext>, guard: BearerTokenMiddleware<GatehouseRequestContext>) {
        let registration = RouterPath(EndpointPath.registration.path)
        switch mode {
        case .token:
            group.group().add(middleware: BearerTokenRequired(endpoint: endpoint)).add(middleware: `guard`).post(registration) {
                request, context in try await register(request, context: context)
            }
        case .open, .off:
            group.post(registration) { request, context in try await register(request, context: context) }
        }
        let client = RouterPath(EndpointPath.registrationClient.path)
        group.get(client) { request, context in try await read(request, context: context) }
        group.put(client) { request, context in try await replace(request, context: context) }
        group.delete(client) { request, context in try await delete(request, context: context) }
    }

    func register(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try endpoint.requireEnabled()
        let body = try await Self.body(of: request, maxBytes: maxBodyBytes)
        let document = try await endpoint.register(body: body, address: addresses.address(of: request, context: context))
        return try Self.response(document, status: .created)
    }

    func read(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let document = try await endpoint.read(clientID: try Self.clientID(context), authorization: request.headers[.authorization])
        return try Self.response(document, status: .ok)
    }

    func replace(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try endpoint.requireEnabled()
        let body = try await Self.body(of: request, maxBytes: maxBodyBytes)
        let document = try await endpoint.replace(
            clientID: try Self.clientID(context), authorization: request.headers[.authorization], body: body,
            address: addresses.address(of: request, context: context)
        )
        return try Self.response(document, status: .ok)
    }

    func delete(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await endpoint.delete(
            clientID: try Self.clientID(context), authorization: request.headers[.authorization],
            address: addresses.address(of: request, context: context)
        )
        var headers = HTTPFields()
        OAuthResponder.addNoStore(to: &headers)
        return Response(status: .noContent, headers: headers)
    }

    private static func clientID(_ context: GatehouseRequestContext) throws -> String {
        guard let id = context.parameters.get("client_id") else { throw OAuthError.invalidRequest("no client_id in the path") }
        return id
    }

    /// The JSON body, at most `maxBytes` long. The `Content-Type` is not checked: what decides is
    /// whether the body parses as client metadata.
    /// - Throws: ``OAuthError`` 413 `invalid_request` for a body over `maxBytes`.
    private static func body(of request: Request, maxBytes: Int) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw OAuthError.bodyTooLarge(limit: maxBytes)
        }
        // A chunked body has no Content-Length: the limit is only found while collecting.
        do {
            return Array(try await request.body.collect(upTo: maxBytes).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw OAuthError.bodyTooLarge(limit: maxBytes)
        }
    }

    /// RFC 7591 §3.2.1: the answer carries credentials, so no cache may keep it.
    private static func response(_ document: ClientDocument, status: HTTPResponse.Status) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        OAuthResponder.addNoStore(to: &headers)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: try document.json())))
    }
}

/// Refuses a `token`-mode registration that carries no bearer token at all before the bearer
/// middleware would answer it with RFC 6750's bare challenge: SPEC §10 wants `invalid_token`.
private struct BearerTokenRequired: RouterMiddleware {
    typealias Context = GatehouseRequestContext
    let endpoint: RegistrationEndpoint

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try endpoint.requireBearerToken(request.headers[.authorization])
        return try await next(request, context)
    }
}
