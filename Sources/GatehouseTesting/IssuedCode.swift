/// An authorization code the authorization endpoint issued, with what the token request must
/// repeat (RFC 6749 §4.1.3, RFC 7636 §4.5).
public struct IssuedCode: Sendable, Hashable {
    /// The plain code from the redirect.
    public let code: String
    /// The PKCE verifier, when the authorization request carried a challenge.
    public let verifier: String?
    /// The redirect URI the authorization request named; the token request must send it.
    public let redirectURI: String
    /// The `state` of the authorization request.
    public let state: String?
    /// The grant the code belongs to.
    public let grantID: String

    public init(code: String, verifier: String?, redirectURI: String, state: String?, grantID: String) {
        self.code = code
        self.verifier = verifier
        self.redirectURI = redirectURI
        self.state = state
        self.grantID = grantID
    }

    /// The parameters of the token request that redeems this code.
    public var tokenParameters: [String: String] {
        var parameters = ["grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI]
        parameters["code_verifier"] = verifier
        return parameters
    }
}
