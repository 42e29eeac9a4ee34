import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import NIOPosix

/// The admin API, `/admin/v1` (SPEC §10): decodes each call, asks ``AdminAPI``, writes JSON.
///
/// The routes sit behind `BearerTokenMiddleware` with scope `gatehouse:admin` and the OAuth error
/// middleware, so every refusal has the shape and headers of SPEC §5.
struct AdminController: Sendable {
    let api: AdminAPI
    let maxBodyBytes: Int

    /// Adds the routes to `group`, which carries the guard.
    func addRoutes(to group: RouterGroup<GatehouseRequestContext>) {
        group.get(RouterPath(EndpointPath.adminClients.path)) { request, _ in try await listClients(request) }
        group.post(RouterPath(EndpointPath.adminClients.path)) { request, _ in try await createClient(request) }
        group.get(RouterPath(EndpointPath.adminClient.path)) { _, context in try await showClient(context) }
        group.put(RouterPath(EndpointPath.adminClient.path)) { request, context in try await replaceClient(request, context: context) }
        group.delete(RouterPath(EndpointPath.adminClient.path)) { _, context in try await deleteClient(context) }
        group.post(RouterPath(EndpointPath.adminClientSecret.path)) { request, context in try await rotateSecret(request, context: context) }
        group.get(RouterPath(EndpointPath.adminUsers.path)) { _, _ in try await listUsers() }
        group.post(RouterPath(EndpointPath.adminUsers.path)) { request, _ in try await createUser(request) }
        group.delete(RouterPath(EndpointPath.adminUser.path)) { _, context in try await deleteUser(context) }
        group.get(RouterPath(EndpointPath.adminGrants.path)) { request, _ in try await listGrants(request) }
        group.delete(RouterPath(EndpointPath.adminGrant.path)) { _, context in try await deleteGrant(context) }
        group.post(RouterPath(EndpointPath.adminTokenRevocation.path)) { request, _ in try await revokeTokens(request) }
    }

    // MARK: - Clients

    /// RFC 7591 §3.2.1's client information response, with `Location` (SPEC §10).
    func createClient(_ request: Request) async throws -> Response {
        let metadata = try AdminRequestBody.decode(ClientMetadata.self, from: try await request.adminBody(maxBytes: maxBodyBytes))
        let (client, secret) = try await api.createClient(metadata)
        var headers = HTTPFields()
        headers[.location] = Self.clientPath(client.id)
        return Self.json(try ClientDocument(client: client, secret: secret).json(), status: .created, headers: headers)
    }

    func listClients(_ request: Request) async throws -> Response {
        let query = try request.adminQuery()
        let page = try await api.listClients(limit: query["limit"], cursor: query["cursor"])
        var json = JSONWriter()
        json.add("clients", json: Self.array(try page.clients.map { try ClientDocument(client: $0).json() }))
        if let next = page.nextCursor {
            json.add("next_cursor", next.encoded)
        } else {
            json.add("next_cursor", json: "null")
        }
        return Self.json(json.finish())
    }

    /// Never the secret: it is kept only as a hash, and shown once when made.
    func showClient(_ context: GatehouseRequestContext) async throws -> Response {
        let client = try await api.client(id: try context.parameters.adminPathValue("client_id"))
        return Self.json(try ClientDocument(client: client).json())
    }

    func replaceClient(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let id = try context.parameters.adminPathValue("client_id")
        let metadata = try AdminRequestBody.decode(ClientMetadata.self, from: try await request.adminBody(maxBytes: maxBodyBytes))
        return Self.json(try ClientDocument(client: try await api.replaceClient(id: id, with: metadata)).json())
    }

    func deleteClient(_ context: GatehouseRequestContext) async throws -> Response {
        try await api.deleteClient(id: try context.parameters.adminPathValue("client_id"))
        return Self.noContent()
    }

    func rotateSecret(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let id = try context.parameters.adminPathValue("client_id")
        let body = try AdminRequestBody.decode(
            AdminSecretRotationRequest.self, from: try await request.adminBody(maxBytes: maxBodyBytes), emptyObject: true
        )
        let rotated = try await api.rotateSecret(clientID: id, graceSeconds: body.graceSeconds)
        var json = JSONWriter()
        json.add("client_secret", rotated.secret)
        json.add("previous_secret_expires_at", Int(rotated.previousSecretExpiresAt.timeIntervalSince1970.rounded(.down)))
        return Self.json(json.finish())
    }

    static func clientPath(_ id: String) -> String {
        EndpointPath.adminClients.path + "/" + pathSegment(id)
    }

    // MARK: - Users

    func createUser(_ request: Request) async throws -> Response {
        let body = try AdminRequestBody.decode(AdminUserRequest.self, from: try await request.adminBody(maxBytes: maxBodyBytes))
        // bcrypt takes a few hundred milliseconds: on NIO's blocking pool, as sign-in verifies.
        let user = try await api.createUser(body) { password in
            try await NIOThreadPool.singleton.runIfActive { PasswordHasher.hash(password) }
        }
        var headers = HTTPFields()
        headers[.location] = EndpointPath.adminUsers.path + "/" + Self.pathSegment(user.username)
        return Self.json(Self.userJSON(user), status: .created, headers: headers)
    }

    func listUsers() async throws -> Response {
        let users = try await api.listUsers()
        var json = JSONWriter()
        json.add("users", json: Self.array(users.map(Self.userJSON)))
        return Self.json(json.finish())
    }

    func deleteUser(_ context: GatehouseRequestContext) async throws -> Response {
        try await api.deleteUser(username: try context.parameters.adminPathValue("username"))
        return Self.noContent()
    }

    // MARK: - Grants and tokens

    func listGrants(_ request: Request) async throws -> Response {
        let grants = try await api.activeGrants(try AdminGrantFilter(query: try request.adminQuery()))
        var json = JSONWriter()
        json.add("grants", json: Self.array(grants.map(Self.grantJSON)))
        return Self.json(json.finish())
    }

    func deleteGrant(_ context: GatehouseRequestContext) async throws -> Response {
        try await api.withdrawGrant(id: try context.parameters.adminPathValue("grant_id"))
        return Self.noContent()
    }

    func revokeTokens(_ request: Request) async throws -> Response {
        let target = try AdminRequestBody.decode(AdminRevocationTarget.self, from: try await request.adminBody(maxBytes: maxBodyBytes))
        var json = JSONWriter()
        json.add("revoked", try await api.revokeTokens(of: target))
        return Self.json(json.finish())
    }

    // MARK: - JSON

    static func userJSON(_ user: User) -> String {
        var json = JSONWriter()
        json.add("username", user.username)
        if let email = user.email { json.add("email", email) }
        if let name = user.name { json.add("name", name) }
        return json.finish()
    }

    static func grantJSON(_ grant: GrantSummary) -> String {
        var json = JSONWriter()
        json.add("grant_id", grant.id)
        json.add("client_id", grant.clientID)
        json.add("client_name", grant.clientName)
        if let subject = grant.subject { json.add("subject", subject) }
        json.add("scope", grant.scope.description)
        json.add("created_at", Int(grant.createdAt.timeIntervalSince1970))
        return json.finish()
    }

    static func array(_ objects: [String]) -> String {
        "[" + objects.joined(separator: ",") + "]"
    }

    /// Admin answers name clients, users and secrets: no cache may keep them.
    static func json(_ body: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json; charset=utf-8"
        OAuthResponder.addNoStore(to: &headers)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func noContent() -> Response {
        var headers = HTTPFields()
        OAuthResponder.addNoStore(to: &headers)
        return Response(status: .noContent, headers: headers)
    }

    /// RFC 3986 §2.3, ASCII only (`CharacterSet.alphanumerics` would let any letter through).
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// One path segment, percent-encoded so that any username makes a valid `Location`.
    static func pathSegment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }
}
