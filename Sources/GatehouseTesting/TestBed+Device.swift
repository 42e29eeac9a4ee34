public import GatehouseCore

extension TestBed {
    /// The device authorization endpoint (RFC 8628 §3.1) on the bed's store and clock.
    /// - Parameter limiter: the client-authentication limit; `nil` for none.
    public func deviceAuthorizationEndpoint(limiter: ClientAuthenticationLimiter? = nil) -> DeviceAuthorizationEndpoint {
        DeviceAuthorizationEndpoint(
            configuration: configuration, clients: store, store: store, clientAuthenticationLimiter: limiter, now: clock.now
        )
    }

    /// A device authorization request by `client`: HTTP Basic for a confidential client,
    /// `client_id` in the body for a public one.
    public func deviceAuthorization(_ parameters: [String: String] = [:], client: RegisteredClient) async throws -> DeviceAuthorizationResponse {
        if client.secret != nil {
            return try await deviceAuthorizationEndpoint().handle(
                parameters: RequestParameters(parameters), authorization: client.basicAuthorization
            )
        }
        let body = parameters.merging(client.bodyCredentials) { first, _ in first }
        return try await deviceAuthorizationEndpoint().handle(parameters: RequestParameters(body), authorization: nil)
    }
}

extension TestBed {
    /// The user's side of the device flow on the bed's store and clock, with the limit on wrong
    /// user codes of the configuration.
    public func deviceVerification() -> DeviceVerification {
        DeviceVerification(
            clients: store, store: store,
            limiter: UserCodeLimiter(store: store, limit: configuration.signInFailureLimit, window: configuration.rateLimitWindow),
            events: events, now: clock.now
        )
    }
}

extension TestBed {
    /// The verification page's state machine on the bed's store and clock; every user's password
    /// is `password`, as in ``authorizationInteraction(password:)``.
    public func deviceInteraction(password: String = "correct horse") -> DeviceInteraction {
        DeviceInteraction(
            configuration: configuration,
            verification: deviceVerification(),
            sessions: store,
            challenges: store,
            users: store,
            signInLimiter: SignInLimiter(
                store: store, userLimit: configuration.signInFailureLimit, addressLimit: configuration.signInAddressFailureLimit,
                window: configuration.rateLimitWindow
            ),
            passwords: SharedPasswordVerifier(users: store, password: password),
            preLogin: PreLoginState(secrets: store),
            events: events,
            now: clock.now
        )
    }
}
