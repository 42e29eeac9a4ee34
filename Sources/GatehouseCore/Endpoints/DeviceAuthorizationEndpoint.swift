public import Foundation

/// The device authorization endpoint (RFC 8628 §3.1–3.2, SPEC §11), independent of HTTP.
///
/// Steps in the token endpoint's order (SPEC §6): request syntax, client authentication under the
/// failure limit of the client's address (SPEC §9), the grant type (the client must be registered
/// for `urn:ietf:params:oauth:grant-type:device_code`), then scope and resources as an
/// authorization request has them.
public struct DeviceAuthorizationEndpoint: Sendable {
    /// RFC 8628 §3.5: "the interval MUST be increased by 5 seconds for this and all subsequent
    /// requests".
    public static let slowDownStep = 5
    /// Attempts at a fresh user code when one collides with a stored one.
    static let userCodeAttempts = 3

    private let configuration: ServerConfiguration
    private let authenticator: ClientAuthenticator
    private let store: any DeviceCodeStore
    private let knownResources: Set<String>
    private let now: @Sendable () -> Date

    public init(
        configuration: ServerConfiguration,
        clients: any ClientStore,
        store: any DeviceCodeStore,
        clientAuthenticationLimiter: ClientAuthenticationLimiter? = nil,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.configuration = configuration
        self.authenticator = ClientAuthenticator(
            clients: clients, realm: configuration.realm, limiter: clientAuthenticationLimiter, now: now
        )
        self.store = store
        self.knownResources = configuration.knownResources
        self.now = now
    }

    /// `verification_uri`: the page where the user enters the code.
    public var verificationURI: String { EndpointPath.device.url(issuer: configuration.issuer) }

    /// Answers a device authorization request.
    /// - Parameters:
    ///   - parameters: the decoded form body; repeated parameters were refused while decoding.
    ///   - authorization: the `Authorization` header, if any.
    ///   - address: the client's address (SPEC §9), for the client-authentication limit.
    /// - Throws: ``OAuthError``: `invalid_request`, `invalid_client`, `unauthorized_client`,
    ///   `invalid_scope`, `invalid_target`, `temporarily_unavailable` (429).
    public func handle(parameters: RequestParameters, authorization: String?, address: String? = nil) async throws -> DeviceAuthorizationResponse {
        let client = try await ClientAuthenticatedRequest.authenticate(
            parameters: parameters, authorization: authorization, address: address, authenticator: authenticator,
            realm: configuration.realm
        )
        // RFC 8628 §3.1 and RFC 6749 §5.2: a client not registered for the grant is unauthorized.
        guard client.grantTypes.contains(.deviceCode) else {
            throw OAuthError.unauthorizedClient("client \(client.id) may not use the device authorization grant")
        }
        // RFC 8628 §3.1: "scope OPTIONAL. The scope of the access request as defined by Section 3.3
        // of [RFC6749]." The same rules as the authorization endpoint (SPEC §9 "Consent").
        let scope = try ScopePolicy.resolve(requested: parameters["scope"], allowed: client.scopes, default: client.scopes)
        guard !scope.isEmpty else { throw OAuthError.invalidScope("scope resolves to nothing") }
        let resources = try ResourcePolicy.resolve(requested: parameters.all("resource"), known: knownResources)

        let date = now()
        let generator = SecretGenerator()
        let deviceCode = generator.make(.deviceCode)
        for attempt in 1...Self.userCodeAttempts {
            let userCode = UserCode.make()
            let normalized = UserCode.normalize(userCode) ?? userCode
            do {
                try await store.createDeviceAuthorization(
                    DeviceAuthorization(
                        deviceCodeHash: SecretHasher.hash(deviceCode), userCodeHash: UserCode.hash(normalized: normalized),
                        clientID: client.id, scope: scope, resources: resources, createdAt: date,
                        expiresAt: date.addingTimeInterval(TimeInterval(configuration.deviceCodeTTL)), interval: configuration.devicePollInterval
                    )
                )
            } catch StoreError.duplicate where attempt < Self.userCodeAttempts {
                continue
            } catch StoreError.missingReference {
                throw OAuthError.invalidClient("client \(client.id) deleted during the request", usedBasic: false, realm: configuration.realm)
            }
            return DeviceAuthorizationResponse(
                deviceCode: deviceCode, userCode: userCode, verificationURI: verificationURI,
                verificationURIComplete: AuthorizationEndpoint.appendQuery(to: verificationURI, [("user_code", userCode)]),
                expiresIn: configuration.deviceCodeTTL, interval: configuration.devicePollInterval
            )
        }
        throw OAuthError.serverError("no free user code after \(Self.userCodeAttempts) attempts")
    }
}

/// The answer of the device authorization endpoint (RFC 8628 §3.2).
public struct DeviceAuthorizationResponse: Sendable, Hashable {
    public var deviceCode: String
    /// As shown to the user: `XXXX-XXXX`.
    public var userCode: String
    public var verificationURI: String
    /// `verification_uri` with the user code, for a QR code or a link (RFC 8628 §3.3.1).
    public var verificationURIComplete: String
    public var expiresIn: Int
    public var interval: Int

    public init(deviceCode: String, userCode: String, verificationURI: String, verificationURIComplete: String, expiresIn: Int, interval: Int) {
        self.deviceCode = deviceCode
        self.userCode = userCode
        self.verificationURI = verificationURI
        self.verificationURIComplete = verificationURIComplete
        self.expiresIn = expiresIn
        self.interval = interval
    }
}
