public import HTTPTypes

/// An error that ends an OAuth request, answered to the client in the RFC 6749 §5.2 shape.
///
/// The client sees only the catalog's fixed text for ``message``; ``hint`` says what really went
/// wrong and goes to the log, never to the client (node-oidc-provider and fosite do the same, so
/// that `invalid_grant` never tells whether a code was unknown, expired or used).
public struct OAuthError: Error, Sendable, CustomStringConvertible {
    /// The catalog message whose text the client sees; it also carries the error code.
    public let message: ErrorMessage
    /// The situation, when its status is not the code's own (SPEC §5: 405, 413, 429).
    public let exception: ErrorCatalog.StatusException?
    /// What went wrong, for the log. Never contains a secret.
    public let hint: String
    /// Headers the response must carry beside the standard five (`Allow`, `Retry-After`,
    /// `WWW-Authenticate`).
    public var headerFields: HTTPFields

    public init(
        _ message: ErrorMessage,
        exception: ErrorCatalog.StatusException? = nil,
        hint: String,
        headerFields: HTTPFields = [:]
    ) {
        self.message = message
        self.exception = exception
        self.hint = hint
        self.headerFields = headerFields
    }

    public var code: OAuthErrorCode { message.code }

    /// The HTTP status of a JSON error response, from the catalog.
    public var status: HTTPResponse.Status { ErrorCatalog.status(of: code, exception: exception) }

    public var description: String { "\(code.rawValue): \(hint)" }
}

extension OAuthError {
    public static func invalidRequest(_ hint: String, message: ErrorMessage = .invalidRequest) -> Self {
        Self(message, hint: hint)
    }

    /// `invalid_client`. RFC 6749 §5.2: when the client tried HTTP Basic, the 401 response
    /// MUST carry a `WWW-Authenticate` header naming the scheme it used.
    public static func invalidClient(_ hint: String, usedBasic: Bool, realm: String) -> Self {
        var fields = HTTPFields()
        if usedBasic {
            fields[.wwwAuthenticate] = "Basic realm=\"\(realm)\", charset=\"UTF-8\""
        }
        return Self(.invalidClient, hint: hint, headerFields: fields)
    }

    public static func invalidGrant(_ hint: String) -> Self { Self(.invalidGrant, hint: hint) }
    public static func invalidScope(_ hint: String) -> Self { Self(.invalidScope, hint: hint) }
    public static func unauthorizedClient(_ hint: String) -> Self { Self(.unauthorizedClient, hint: hint) }
    public static func unsupportedGrantType(_ hint: String) -> Self { Self(.unsupportedGrantType, hint: hint) }
    public static func serverError(_ hint: String) -> Self { Self(.serverError, hint: hint) }

    /// 405 with the `Allow` header RFC 9110 §15.5.6 requires.
    public static func methodNotAllowed(_ method: String, allowed: [String]) -> Self {
        var fields = HTTPFields()
        fields[.allow] = allowed.joined(separator: ", ")
        return Self(.methodNotAllowed, exception: .methodNotAllowed, hint: "method \(method) not allowed", headerFields: fields)
    }

    public static func bodyTooLarge(limit: Int) -> Self {
        Self(.bodyTooLarge, exception: .bodyTooLarge, hint: "request body over \(limit) bytes")
    }
}
