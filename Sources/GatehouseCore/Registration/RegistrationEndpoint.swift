public import Foundation
import HTTPTypes

/// Dynamic client registration (RFC 7591) and the client configuration endpoint (RFC 7592), as
/// SPEC §10 specifies them, without HTTP: the server's controller hands over the body, the
/// `Authorization` header and the client's address, and writes what comes back.
///
/// In `token` mode the registering access token is checked before this endpoint runs, by the same
/// bearer middleware as every protected resource; here only the modes, the one validation
/// (``ClientRegistrationPolicy``), the open-mode limit and the registration access token are decided.
public struct RegistrationEndpoint: Sendable {
    private let configuration: ServerConfiguration
    private let clients: any ClientRegistry
    private let limiter: RegistrationLimiter?
    private let events: any SecurityEventSink
    private let now: @Sendable () -> Date

    /// - Parameter limiter: the limit of `open` mode; `nil` applies none.
    public init(
        configuration: ServerConfiguration, clients: any ClientRegistry, limiter: RegistrationLimiter?,
        events: any SecurityEventSink = DiscardingSecurityEventSink(), now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.configuration = configuration
        self.clients = clients
        self.limiter = limiter
        self.events = events
        self.now = now
    }

    /// The client's configuration endpoint, its `registration_client_uri`.
    public func registrationClientURI(clientID: String) -> String {
        configuration.issuer + EndpointPath.registrationClient.path.replacingOccurrences(of: "{client_id}", with: clientID)
    }

    /// `POST /oauth2/register`: registers the client the JSON body describes.
    /// - Parameter address: the client's address (SPEC §9), which open mode counts registrations by.
    /// - Returns: the registered client with its secret (unless public), its registration access
    ///   token and its `registration_client_uri`, for a `201`.
    /// - Throws: ``OAuthError`` `not_found` when registration is off; `invalid_request`,
    ///   `invalid_redirect_uri`, `invalid_client_metadata`; `temporarily_unavailable` (429).
    public func register(body: [UInt8], address: String?) async throws -> ClientDocument {
        try requireEnabled()
        let metadata = try ClientMetadata.decode(json: body)
        let date = now()
        let policy = ClientRegistrationPolicy(registrar: .registration(configuration.registration), configuration: configuration)
        var client = try policy.client(from: metadata, id: SecretGenerator().makeIdentifier(), createdAt: date)
        let attempt: RegistrationLimiter.Attempt?
        if configuration.registration == .open, let limiter, let address {
            attempt = try await limiter.begin(address: address, at: date)
        } else {
            attempt = nil
        }
        let secret = client.tokenEndpointAuthMethod == .none ? nil : SecretGenerator().make(.clientSecret)
        let registrationAccessToken = SecretGenerator().make(.registrationAccessToken)
        client.secretHash = secret.map(SecretHasher.hash)
        client.registrationAccessTokenHash = SecretHasher.hash(registrationAccessToken)
        do {
            client = try await createWithFreeName(client)
        } catch {
            // The registration's own failure is the answer; an attempt left behind only ages out.
            if let attempt { try? await limiter?.takeBack(attempt) }
            throw error
        }
        events.record(SecurityEvent(.clientCreated, time: date, clientID: client.id, address: address, reason: "registration"))
        return ClientDocument(
            client: client, secret: secret, registrationAccessToken: registrationAccessToken,
            registrationClientURI: registrationClientURI(clientID: client.id)
        )
    }

    /// `GET /oauth2/register/{client_id}` (RFC 7592 §2.1).
    /// - Throws: ``OAuthError`` `not_found` when registration is off; `invalid_token` (401) unless
    ///   `authorization` carries this client's registration access token.
    public func read(clientID: String, authorization: String?) async throws -> ClientDocument {
        let client = try await authorizedClient(clientID, authorization: authorization)
        return ClientDocument(client: client, registrationClientURI: registrationClientURI(clientID: client.id))
    }

    /// `PUT /oauth2/register/{client_id}` (RFC 7592 §2.2): replaces the client's metadata with the
    /// body's; the id, secret and registration access token stay.
    /// - Throws: as ``read(clientID:authorization:)``, and as ``register(body:address:)`` for the body;
    ///   `invalid_request` when the body names another `client_id`.
    public func replace(clientID: String, authorization: String?, body: [UInt8], address: String?) async throws -> ClientDocument {
        let existing = try await authorizedClient(clientID, authorization: authorization)
        let metadata = try ClientMetadata.decode(json: body)
        // RFC 7592 §2.2: the body's client_id "MUST" be the client's own.
        if let named = metadata.clientID, named != existing.id {
            throw OAuthError.invalidRequest("client_id in the body is not the client's")
        }
        let policy = ClientRegistrationPolicy(registrar: .registration(configuration.registration), configuration: configuration)
        var client = try policy.client(from: metadata, id: existing.id, createdAt: existing.createdAt, replacing: existing)
        client = try await replaceWithFreeName(client)
        events.record(SecurityEvent(.clientUpdated, time: now(), clientID: client.id, address: address, reason: "registration"))
        return ClientDocument(client: client, registrationClientURI: registrationClientURI(clientID: client.id))
    }

    /// `DELETE /oauth2/register/{client_id}` (RFC 7592 §2.3): deletes the client and everything
    /// issued to it.
    /// - Throws: as ``read(clientID:authorization:)``.
    public func delete(clientID: String, authorization: String?, address: String?) async throws {
        let client = try await authorizedClient(clientID, authorization: authorization)
        guard try await clients.deleteClient(id: client.id) else {
            throw invalidToken("client \(client.id) deleted meanwhile")
        }
        events.record(SecurityEvent(.clientDeleted, time: now(), clientID: client.id, address: address, reason: "registration"))
    }

    /// SPEC §10, `token` mode: a registration without any bearer token is `401 invalid_token` too
    /// ("401 invalid_token otherwise"), not the bare challenge RFC 6750 gives a protected resource;
    /// the token itself is then checked by the bearer middleware.
    public func requireBearerToken(_ authorization: String?) throws(OAuthError) {
        guard Self.bearerToken(authorization) != nil else {
            throw invalidToken("no initial access token")
        }
    }

    /// SPEC §10: with `registration = off` the endpoints do not exist.
    public func requireEnabled() throws(OAuthError) {
        guard configuration.registration != .off else {
            throw OAuthError(.notFound, hint: "dynamic registration is off")
        }
    }

    /// The client whose registration access token `authorization` carries.
    ///
    /// RFC 7592 §2.1: an unknown client, or a token that is not the client's, is a 401, never a
    /// 404 or 403, so that nobody learns which client ids exist.
    private func authorizedClient(_ clientID: String, authorization: String?) async throws -> Client {
        try requireEnabled()
        guard let token = Self.bearerToken(authorization) else {
            throw invalidToken("no registration access token")
        }
        let presented = Array(SecretHasher.hash(token).utf8)
        let client = try await clients.client(id: clientID)
        let expected = client?.registrationAccessTokenHash.map { Array($0.utf8) } ?? []
        guard let client, SecretHasher.constantTimeEquals(presented, expected) else {
            throw invalidToken("registration access token not this client's, or no such client")
        }
        return client
    }

    /// RFC 6750 §3: 401 `invalid_token` with its Bearer challenge.
    private func invalidToken(_ hint: String) -> OAuthError {
        var fields = HTTPFields()
        fields[.wwwAuthenticate] =
            "Bearer realm=\"\(configuration.realm)\", error=\"invalid_token\", error_description=\"\(ErrorMessage.invalidToken.english)\""
        return OAuthError(.invalidToken, hint: hint, headerFields: fields)
    }

    /// `Bearer TOKEN` (RFC 6750 §2.1); anything else is no token.
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    /// RFC 7591 does not make client names unique, and many clients (MCP clients among them)
    /// register under the same name again and again; the store keeps names unique for the command
    /// line and the admin API, so a taken name gets the client's id appended, which the answer shows.
    private func createWithFreeName(_ client: Client) async throws -> Client {
        do {
            try await clients.createClient(client)
            return client
        } catch StoreError.duplicate {
            var renamed = client
            renamed.name = Self.disambiguated(client)
            try await clients.createClient(renamed)
            return renamed
        }
    }

    private func replaceWithFreeName(_ client: Client) async throws -> Client {
        do {
            guard try await clients.replaceClientMetadata(client) else { throw invalidToken("client \(client.id) deleted meanwhile") }
            return client
        } catch StoreError.duplicate {
            var renamed = client
            renamed.name = Self.disambiguated(client)
            guard try await clients.replaceClientMetadata(renamed) else { throw invalidToken("client \(client.id) deleted meanwhile") }
            return renamed
        }
    }

    private static func disambiguated(_ client: Client) -> String {
        "\(client.name) (\(client.id))"
    }
}
