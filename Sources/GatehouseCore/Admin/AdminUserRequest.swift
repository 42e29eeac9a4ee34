/// `POST /admin/v1/users`: `{"username", "password"}` (SPEC §10).
public struct AdminUserRequest: Decodable, Sendable {
    public let username: String
    public let password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// The rules of `gatehouse users create`: a username is one word, a password is not empty.
    /// - Throws: ``OAuthError`` `invalid_request`.
    public func validate() throws(OAuthError) {
        guard !username.isEmpty, !username.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw .invalidRequest("username empty or with spaces", message: .malformedParameter)
        }
        guard !password.isEmpty else {
            throw .invalidRequest("password empty", message: .malformedParameter)
        }
    }
}
