import Foundation

/// The device authorization grant at the token endpoint (RFC 8628 §3.4–3.5, SPEC §11).
///
/// Every token request is first recorded as a poll, in one statement that also decides whether it
/// came too early; then the request's state answers: `authorization_pending` until the user
/// decides, `slow_down` for a poll sooner than the interval (which grows by 5 s), `access_denied`,
/// `expired_token`, or, once, the tokens. A second redemption, an unknown device code and one of
/// another client are `invalid_grant`.
public struct DeviceCodeGrant: GrantHandler {
    public let grantType = GrantType.deviceCode
    private let store: any DeviceCodeStore
    private let accessTokens: AccessTokenIssuer
    private let refreshTokens: RefreshTokenIssuer
    private let events: any SecurityEventSink

    public init(
        store: any DeviceCodeStore,
        accessTokens: AccessTokenIssuer,
        refreshTokens: RefreshTokenIssuer,
        events: any SecurityEventSink = DiscardingSecurityEventSink()
    ) {
        self.store = store
        self.accessTokens = accessTokens
        self.refreshTokens = refreshTokens
        self.events = events
    }

    public func handle(_ request: GrantRequest) async throws -> TokenResponse {
        let client = request.client
        // RFC 8628 §3.4: "device_code REQUIRED."
        let deviceCode = try request.parameters.required("device_code")
        let hash = SecretHasher.hash(deviceCode)
        guard
            let poll = try await store.pollDeviceAuthorization(
                deviceCodeHash: hash, clientID: client.id, at: request.now, slowDownBy: DeviceAuthorizationEndpoint.slowDownStep
            )
        else {
            throw OAuthError.invalidGrant("device code unknown or issued to another client")
        }
        let record = poll.authorization
        if record.status == .redeemed {
            throw OAuthError.invalidGrant("device code already redeemed")
        }
        // RFC 8628 §3.5 expired_token: "The "device_code" has expired".
        guard request.now < record.expiresAt else {
            throw OAuthError.expiredToken("device code expired")
        }
        switch record.status {
        case .pending:
            if poll.tooEarly {
                throw OAuthError.slowDown("polled within the interval; interval now \(record.interval) s")
            }
            throw OAuthError.authorizationPending("the user has not decided yet")
        case .denied:
            throw OAuthError(.accessDenied, hint: "the user denied the device authorization request")
        case .redeemed:
            throw OAuthError.invalidGrant("device code already redeemed")
        case .approved:
            return try await redeem(record, request: request)
        }
    }

    private func redeem(_ record: DeviceAuthorization, request: GrantRequest) async throws -> TokenResponse {
        let client = request.client
        guard let grantID = record.grantID, let userID = record.userID else {
            throw OAuthError.serverError("approved device authorization without a grant")
        }
        let resources = try ResourcePolicy.narrow(
            requested: request.parameters.all("resource"), granted: record.resources, known: request.knownResources
        )
        let grant = Grant(
            id: grantID, clientID: client.id, userID: userID, scope: record.scope, resources: record.resources, createdAt: request.now,
            delegation: record.delegation
        )
        let access = try await accessTokens.make(
            client: client, userID: userID, scope: record.scope, audience: resources, grantID: grantID, now: request.now
        )
        var refresh: (token: String, record: RefreshTokenRecord)?
        if client.grantTypes.contains(.refreshToken) {
            refresh = refreshTokens.make(clientID: client.id, userID: userID, scope: record.scope, grantID: grantID, now: request.now)
        }
        let issued = IssuedTokens(accessToken: access.record, refreshToken: refresh?.record)
        // One unit marks the device code redeemed and stores the grant and its tokens; of
        // concurrent redemptions exactly one gets past its compare-and-swap.
        let redeemed = try await request.storing {
            try await store.redeemDeviceAuthorization(
                deviceCodeHash: record.deviceCodeHash, clientID: client.id, grant: grant, issuing: issued, at: request.now
            )
        }
        guard redeemed else {
            throw OAuthError.invalidGrant("device code redeemed concurrently")
        }
        events.record(
            SecurityEvent(
                .tokenIssued, time: request.now, clientID: client.id, subject: userID, grantID: grantID, address: request.address,
                grantType: grantType.rawValue, tokenFormat: accessTokens.format(for: client).rawValue
            )
        )
        return TokenResponse(accessToken: access.token, expiresIn: accessTokens.lifetime, scope: record.scope, refreshToken: refresh?.token)
    }
}
