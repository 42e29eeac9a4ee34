public import Foundation

/// The OpenID Connect parameters of an authorization request whose scope holds `openid`
/// (OpenID Connect Core §3.1.2.1).
public struct OpenIDRequest: Sendable, Equatable {
    /// Core §3.1.2.1 `prompt`: what the server must, or must not, ask the user.
    public enum Prompt: String, Sendable, Hashable {
        /// Never show a page: answer `login_required`, `consent_required` or
        /// `interaction_required` instead (Core §3.1.2.6).
        case none
        /// Ask the user to sign in again, even with a session.
        case login
        /// Ask for consent, even when a remembered consent covers the request.
        case consent
    }

    public var nonce: String?
    public var prompt: Set<Prompt>
    /// `max_age` in seconds: a sign-in older than this must be repeated (Core §3.1.2.1).
    public var maxAge: Int?
    /// `login_hint`: the built-in login form shows it as the username.
    public var loginHint: String?

    public init(nonce: String? = nil, prompt: Set<Prompt> = [], maxAge: Int? = nil, loginHint: String? = nil) {
        self.nonce = nonce
        self.prompt = prompt
        self.maxAge = maxAge
        self.loginHint = loginHint
    }

    /// Reads the parameters of an `openid` request.
    /// - Throws: ``OAuthError`` `invalid_request` for a `prompt` that combines `none` with another
    ///   value (Core §3.1.2.1: "an error is returned") or a `max_age` that is not a non-negative
    ///   integer. Values of `prompt` this server does not know (`select_account`) are ignored.
    public static func parse(_ parameters: RequestParameters) throws(OAuthError) -> OpenIDRequest {
        var prompt: Set<Prompt> = []
        if let value = parameters["prompt"] {
            let words = value.split(separator: " ").map(String.init)
            prompt = Set(words.compactMap(Prompt.init(rawValue:)))
            if prompt.contains(.none), words.count > 1 {
                throw OAuthError.invalidRequest("prompt none combined with another value", message: .malformedParameter)
            }
        }
        var maxAge: Int?
        if let value = parameters["max_age"] {
            guard let seconds = Int(value), seconds >= 0, value.allSatisfy(\.isASCII) else {
                throw OAuthError.invalidRequest("max_age is not a non-negative integer", message: .malformedParameter)
            }
            maxAge = seconds
        }
        return OpenIDRequest(nonce: parameters["nonce"], prompt: prompt, maxAge: maxAge, loginHint: parameters["login_hint"])
    }

    /// Whether a sign-in at `authTime` may stand for this request at `date`: not with
    /// `prompt=login`, nor when older than `max_age`.
    public func accepts(signInAt authTime: Date, at date: Date) -> Bool {
        if prompt.contains(.login) { return false }
        if let maxAge, date.timeIntervalSince(authTime) > TimeInterval(maxAge) { return false }
        return true
    }
}
