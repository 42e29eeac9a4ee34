/// What a user's finished authorization code flow hands the client: the plain tokens, which the
/// store never keeps, and the grant they belong to.
public struct CodeFlowTokens: Sendable, Hashable {
    public let accessToken: String
    public let refreshToken: String?
    public let grantID: String

    public init(accessToken: String, refreshToken: String?, grantID: String) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.grantID = grantID
    }
}
