/// `POST /admin/v1/users`: `{"username", "password"}`, optionally `email` and `name` (SPEC §10).
public struct AdminUserRequest: Decodable, Sendable {
    public let username: String
    public let password: String
    public let email: String?
    public let name: String?

    public init(username: String, password: String, email: String? = nil, name: String? = nil) {
        self.username = username
        self.password = password
        self.email = email
        self.name = name
    }

    /// The rules of `gatehouse users create`: a username is one word, a password is not empty, an
    /// email is one `@` with text on both sides, a name is not empty; neither has control characters.
    /// - Throws: ``OAuthError`` `invalid_request`.
    public func validate() throws(OAuthError) {
        guard !username.isEmpty, !username.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw .invalidRequest("username empty or with spaces", message: .malformedParameter)
        }
        guard !password.isEmpty else {
            throw .invalidRequest("password empty", message: .malformedParameter)
        }
        if let email, let problem = User.emailProblem(email) {
            throw .invalidRequest(problem, message: .malformedParameter)
        }
        if let name, let problem = User.nameProblem(name) {
            throw .invalidRequest(problem, message: .malformedParameter)
        }
    }
}
