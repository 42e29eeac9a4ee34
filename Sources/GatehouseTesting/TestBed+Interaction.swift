import Foundation
public import GatehouseCore

extension TestBed {
    /// The browser side of the authorization endpoint on the bed's store and clock. Passwords are
    /// the server's business (bcrypt lives there): here every user's password is `password`.
    public func authorizationInteraction(password: String = "correct horse") -> AuthorizationInteraction {
        AuthorizationInteraction(
            endpoint: authorizationEndpoint(),
            configuration: configuration,
            sessions: store,
            users: store,
            consents: store,
            challenges: store,
            signInLimiter: SignInLimiter(
                store: store, userLimit: configuration.signInFailureLimit, addressLimit: configuration.signInAddressFailureLimit,
                window: configuration.rateLimitWindow
            ),
            passwords: SharedPasswordVerifier(users: store, password: password),
            preLogin: PreLoginState(secrets: store),
            events: events,
            now: { clock.now() }
        )
    }
}

/// Accepts every user of the store with one password.
public struct SharedPasswordVerifier: PasswordVerifier {
    let users: any UserStore
    let password: String

    public init(users: any UserStore, password: String) {
        self.users = users
        self.password = password
    }

    public func verify(username: String, password: String) async throws -> User? {
        guard password == self.password else { return nil }
        return try await users.user(username: username)
    }
}
