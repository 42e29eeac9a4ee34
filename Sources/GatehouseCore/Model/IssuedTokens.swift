/// The records of what one token response hands out, written by the store in the same unit that
/// consumes the code or retires the refresh token they are issued for.
public struct IssuedTokens: Sendable, Hashable {
    public var accessToken: AccessTokenRecord
    public var refreshToken: RefreshTokenRecord?

    public init(accessToken: AccessTokenRecord, refreshToken: RefreshTokenRecord?) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
    }
}
