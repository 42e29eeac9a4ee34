public import HTTPTypes

/// The single source of every error Gatehouse can answer: code, HTTP status, client-facing texts in
/// every supported language, and the documentation line.
///
/// The `/docs/errors` page, the OpenAPI error schemas and the guide's error tables are generated from
/// this table, so what the server says and what the documentation says cannot drift apart.
public enum ErrorCatalog {
    /// The languages every message is translated into. English is the fallback.
    public static let languages = ["en", "de", "fr", "es", "ja"]

    public struct Entry: Sendable {
        public let code: OAuthErrorCode
        /// The status of a JSON error response with this code (RFC 6749 §5.2, RFC 6750 §3.1), unless
        /// one of the ``exceptions`` applies.
        public let status: HTTPResponse.Status
        /// The RFC section that defines the code.
        public let reference: String
        /// The generic message for the code.
        public let message: ErrorMessage
        /// What the code means, for the documentation: one or more whole sentences.
        public let meaning: String
        /// What a client should do about it, for the documentation: one or more whole sentences.
        public let advice: String
    }

    /// A situation whose status is not its code's own (SPEC §5). Each is defined once, in
    /// ``exceptions``; an ``OAuthError`` names the exception, never a status.
    public struct StatusException: Hashable, Sendable {
        /// A stable identifier, for the log and the documentation.
        public let id: String
        /// The code the situation is answered with.
        public let code: OAuthErrorCode
        public let status: HTTPResponse.Status
        /// Where the status is required.
        public let reference: String
        /// When it happens, for the documentation.
        public let situation: String

        public static func == (lhs: Self, rhs: Self) -> Bool { lhs.id == rhs.id }
        public func hash(into hasher: inout Hasher) { hasher.combine(id) }

        /// 405 `invalid_request` for a method the endpoint does not serve, with `Allow`.
        public static let methodNotAllowed = Self(
            id: "method_not_allowed", code: .invalidRequest, status: .methodNotAllowed, reference: "SPEC §5, RFC 9110 §15.5.6",
            situation: "a method the endpoint does not serve (the Allow header names those it does)"
        )
        /// 413 `invalid_request` for a body over `max_body_bytes`.
        public static let bodyTooLarge = Self(
            id: "body_too_large", code: .invalidRequest, status: .contentTooLarge, reference: "SPEC §5, RFC 9110 §15.5.14",
            situation: "a request body larger than max_body_bytes"
        )
        /// 429 `temporarily_unavailable` with `Retry-After` when a rate limit refuses the request.
        public static let rateLimited = Self(
            id: "rate_limited", code: .temporarilyUnavailable, status: .tooManyRequests, reference: "SPEC §5, §9, RFC 6585 §4",
            situation: "a rate limit refused the request (Retry-After says when to come back)"
        )
        /// 403 `invalid_request` for a form post of the login or consent page without its CSRF token:
        /// the browser is refused, not the client.
        public static let forgedForm = Self(
            id: "forged_form", code: .invalidRequest, status: .forbidden, reference: "SPEC §6 (pages)",
            situation: "a login or consent form posted without its csrf_token"
        )
    }

    /// Every exception to a code's status.
    public static let exceptions: [StatusException] = [.methodNotAllowed, .bodyTooLarge, .rateLimited, .forgedForm]

    /// The one answer to "which status does this error have": the exception's when it applies to
    /// the code, otherwise the code's own.
    public static func status(of code: OAuthErrorCode, exception: StatusException? = nil) -> HTTPResponse.Status {
        if let exception, exception.code == code { return exception.status }
        return entry(for: code).status
    }

    /// Every code's entry: RFC 6749, 7009 and 6750's here, section 10's beside them.
    public static let entries: [Entry] =
        protocolEntries + registrationEntries + resourceIndicatorEntries + openIDConnectEntries + deviceAuthorizationEntries

    static let protocolEntries: [Entry] = [
        Entry(
            code: .invalidRequest, status: .badRequest, reference: "RFC 6749 §4.1.2.1, §5.2", message: .invalidRequest,
            meaning:
                "The request is malformed: a required parameter is missing, a parameter is repeated or has an invalid value, the body is not form-encoded, or client credentials were sent in more than one way.",
            advice: "Fix the request; retrying it unchanged will fail again."
        ),
        Entry(
            code: .invalidClient, status: .unauthorized, reference: "RFC 6749 §5.2", message: .invalidClient,
            meaning: "Client authentication failed: the client is unknown, the secret is wrong, or no credentials were sent.",
            advice: "Check the client_id and client_secret; with HTTP Basic, form-urlencode both before base64 (RFC 6749 §2.3.1)."
        ),
        Entry(
            code: .invalidGrant, status: .badRequest, reference: "RFC 6749 §5.2", message: .invalidGrant,
            meaning:
                "The authorization code or refresh token is invalid, expired, revoked, already used, or was issued to another client, or the redirect_uri or PKCE code_verifier does not match the authorization request.",
            advice: "Start a new authorization; do not retry with the same grant."
        ),
        Entry(
            code: .unauthorizedClient, status: .badRequest, reference: "RFC 6749 §4.1.2.1, §5.2", message: .unauthorizedClient,
            meaning: "The client is not allowed to use this grant type or response type, or the token belongs to another client.",
            advice: "Register the grant type for the client, or use a grant it is allowed."
        ),
        Entry(
            code: .unsupportedGrantType, status: .badRequest, reference: "RFC 6749 §5.2", message: .unsupportedGrantType,
            meaning: "The grant_type is not one the server supports.",
            advice: "Use authorization_code, refresh_token or client_credentials."
        ),
        Entry(
            code: .invalidScope, status: .badRequest, reference: "RFC 6749 §4.1.2.1, §5.2", message: .invalidScope,
            meaning: "The requested scope is malformed, unknown, not allowed for the client, or wider than the scope originally granted.",
            advice: "Ask only for scopes registered for the client."
        ),
        Entry(
            code: .accessDenied, status: .badRequest, reference: "RFC 6749 §4.1.2.1", message: .accessDenied,
            meaning: "The user declined the authorization request.",
            advice: "Tell the user that access was not granted; ask again only if they choose to."
        ),
        Entry(
            code: .unsupportedResponseType, status: .badRequest, reference: "RFC 6749 §4.1.2.1", message: .unsupportedResponseType,
            meaning: "The response_type is not supported.",
            advice: "Gatehouse supports only the authorization code flow: use response_type=code."
        ),
        Entry(
            code: .serverError, status: .internalServerError, reference: "RFC 6749 §4.1.2.1", message: .serverError,
            meaning: "The server failed unexpectedly.",
            advice: "The request may be retried later; if it persists, contact the operator."
        ),
        Entry(
            code: .temporarilyUnavailable, status: .serviceUnavailable, reference: "RFC 6749 §4.1.2.1", message: .temporarilyUnavailable,
            meaning: "The server is in maintenance, overloaded or rate-limiting the client.",
            advice: "Retry later, after the Retry-After delay when one is given."
        ),
        Entry(
            code: .unsupportedTokenType, status: .badRequest, reference: "RFC 7009 §2.2.1", message: .unsupportedTokenType,
            meaning: "The token_type_hint of a revocation request is neither access_token nor refresh_token.",
            advice: "Send one of those hints, or none."
        ),
        Entry(
            code: .invalidToken, status: .unauthorized, reference: "RFC 6750 §3.1", message: .invalidToken,
            meaning: "The access token is unknown, malformed, expired or revoked.",
            advice: "Obtain a new access token, for example with a refresh token."
        ),
        Entry(
            code: .insufficientScope, status: .forbidden, reference: "RFC 6750 §3.1", message: .insufficientScope,
            meaning: "The access token is valid but lacks the scope the resource requires; the WWW-Authenticate header names it.",
            advice: "Request a token with that scope."
        ),
    ]

    private static let entriesByCode: [OAuthErrorCode: Entry] = Dictionary(
        uniqueKeysWithValues: entries.map { ($0.code, $0) }
    )

    /// The entry for `code`. Every code defined on ``OAuthErrorCode`` has one; an unknown code is
    /// treated as a server error rather than trapping.
    public static func entry(for code: OAuthErrorCode) -> Entry {
        entriesByCode[code]
            ?? Entry(
                code: code, status: .internalServerError, reference: "", message: .serverError, meaning: "", advice: ""
            )
    }

    /// Every message, generic and specific, for documentation and translation checks.
    public static let messages: [ErrorMessage] =
        entries.map(\.message) + [
            .unsupportedContentType, .repeatedParameter, .missingParameter, .malformedParameter,
            .multipleClientAuthentications, .methodNotAllowed, .bodyTooLarge, .unknownClient, .unregisteredRedirectURI,
            .pkceRequired, .unsupportedChallengeMethod, .tokenOfAnotherClient,
        ]
}

extension ErrorMessage {
    public static let invalidRequest = ErrorMessage(
        id: "invalid_request", code: .invalidRequest,
        texts: [
            "en":
                "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.",
            "de":
                "Der Anfrage fehlt ein erforderlicher Parameter, sie enthält einen ungültigen oder mehrfach angegebenen Parameter oder ist anderweitig fehlerhaft.",
            "fr": "La requête omet un paramètre obligatoire, contient une valeur de paramètre invalide, répète un paramètre ou est mal formée.",
            "es": "A la solicitud le falta un parámetro obligatorio, incluye un valor no válido, repite un parámetro o está mal formada.",
            "ja": "リクエストに必須パラメーターが欠けているか、無効な値や重複したパラメーターが含まれているか、形式が正しくありません。",
        ])
    public static let invalidClient = ErrorMessage(
        id: "invalid_client", code: .invalidClient,
        texts: [
            "en": "Client authentication failed.",
            "de": "Die Client-Authentifizierung ist fehlgeschlagen.",
            "fr": "L'authentification du client a échoué.",
            "es": "La autenticación del cliente ha fallado.",
            "ja": "クライアント認証に失敗しました。",
        ])
    public static let invalidGrant = ErrorMessage(
        id: "invalid_grant", code: .invalidGrant,
        texts: [
            "en": "The authorization grant or refresh token is invalid, expired, revoked, or was issued to another client.",
            "de": "Die Autorisierung oder das Refresh-Token ist ungültig, abgelaufen, widerrufen oder wurde einem anderen Client ausgestellt.",
            "fr": "L'autorisation ou le jeton de rafraîchissement est invalide, expiré, révoqué ou a été délivré à un autre client.",
            "es": "La autorización o el token de actualización no es válido, ha caducado, fue revocado o se emitió a otro cliente.",
            "ja": "認可グラントまたはリフレッシュトークンが無効、期限切れ、失効済み、または別のクライアントに発行されたものです。",
        ])
    public static let unauthorizedClient = ErrorMessage(
        id: "unauthorized_client", code: .unauthorizedClient,
        texts: [
            "en": "The client is not authorized to use this grant type.",
            "de": "Der Client ist nicht berechtigt, diesen Grant-Typ zu verwenden.",
            "fr": "Le client n'est pas autorisé à utiliser ce type d'autorisation.",
            "es": "El cliente no está autorizado a usar este tipo de concesión.",
            "ja": "クライアントはこのグラントタイプの使用を許可されていません。",
        ])
    public static let unsupportedGrantType = ErrorMessage(
        id: "unsupported_grant_type", code: .unsupportedGrantType,
        texts: [
            "en": "The authorization grant type is not supported by the authorization server.",
            "de": "Der Grant-Typ wird vom Autorisierungsserver nicht unterstützt.",
            "fr": "Le type d'autorisation n'est pas pris en charge par le serveur d'autorisation.",
            "es": "El servidor de autorización no admite este tipo de concesión.",
            "ja": "このグラントタイプは認可サーバーでサポートされていません。",
        ])
    public static let invalidScope = ErrorMessage(
        id: "invalid_scope", code: .invalidScope,
        texts: [
            "en": "The requested scope is invalid, unknown, or exceeds the scope granted.",
            "de": "Der angeforderte Scope ist ungültig, unbekannt oder geht über den gewährten Scope hinaus.",
            "fr": "La portée demandée est invalide, inconnue ou dépasse la portée accordée.",
            "es": "El alcance solicitado no es válido, es desconocido o excede el alcance concedido.",
            "ja": "要求されたスコープが無効、不明、または許可された範囲を超えています。",
        ])
    public static let accessDenied = ErrorMessage(
        id: "access_denied", code: .accessDenied,
        texts: [
            "en": "The resource owner denied the request.",
            "de": "Der Ressourcenbesitzer hat die Anfrage abgelehnt.",
            "fr": "Le propriétaire de la ressource a refusé la demande.",
            "es": "El propietario del recurso denegó la solicitud.",
            "ja": "リソースオーナーがリクエストを拒否しました。",
        ])
    public static let unsupportedResponseType = ErrorMessage(
        id: "unsupported_response_type", code: .unsupportedResponseType,
        texts: [
            "en": "The authorization server does not support this response type.",
            "de": "Der Autorisierungsserver unterstützt diesen Antworttyp nicht.",
            "fr": "Le serveur d'autorisation ne prend pas en charge ce type de réponse.",
            "es": "El servidor de autorización no admite este tipo de respuesta.",
            "ja": "認可サーバーはこのレスポンスタイプをサポートしていません。",
        ])
    public static let serverError = ErrorMessage(
        id: "server_error", code: .serverError,
        texts: [
            "en": "The authorization server encountered an unexpected condition.",
            "de": "Beim Autorisierungsserver ist ein unerwarteter Fehler aufgetreten.",
            "fr": "Le serveur d'autorisation a rencontré une condition inattendue.",
            "es": "El servidor de autorización encontró una condición inesperada.",
            "ja": "認可サーバーで予期しないエラーが発生しました。",
        ])
    public static let temporarilyUnavailable = ErrorMessage(
        id: "temporarily_unavailable", code: .temporarilyUnavailable,
        texts: [
            "en": "The authorization server is temporarily unable to handle the request.",
            "de": "Der Autorisierungsserver kann die Anfrage vorübergehend nicht bearbeiten.",
            "fr": "Le serveur d'autorisation ne peut temporairement pas traiter la requête.",
            "es": "El servidor de autorización no puede atender la solicitud temporalmente.",
            "ja": "認可サーバーは一時的にリクエストを処理できません。",
        ])
    public static let unsupportedTokenType = ErrorMessage(
        id: "unsupported_token_type", code: .unsupportedTokenType,
        texts: [
            "en": "The authorization server does not support revocation of this token type.",
            "de": "Der Autorisierungsserver unterstützt den Widerruf dieses Token-Typs nicht.",
            "fr": "Le serveur d'autorisation ne prend pas en charge la révocation de ce type de jeton.",
            "es": "El servidor de autorización no admite la revocación de este tipo de token.",
            "ja": "認可サーバーはこの種類のトークンの失効をサポートしていません。",
        ])
    public static let invalidToken = ErrorMessage(
        id: "invalid_token", code: .invalidToken,
        texts: [
            "en": "The access token is invalid, expired, or revoked.",
            "de": "Das Access-Token ist ungültig, abgelaufen oder widerrufen.",
            "fr": "Le jeton d'accès est invalide, expiré ou révoqué.",
            "es": "El token de acceso no es válido, ha caducado o fue revocado.",
            "ja": "アクセストークンが無効、期限切れ、または失効しています。",
        ])
    public static let insufficientScope = ErrorMessage(
        id: "insufficient_scope", code: .insufficientScope,
        texts: [
            "en": "The access token does not carry the scope this resource requires.",
            "de": "Dem Access-Token fehlt der Scope, den diese Ressource erfordert.",
            "fr": "Le jeton d'accès ne possède pas la portée requise par cette ressource.",
            "es": "El token de acceso no tiene el alcance que requiere este recurso.",
            "ja": "アクセストークンにこのリソースに必要なスコープがありません。",
        ])

    // Precise messages for situations an integrator can fix without reading the server's log.

    public static let unsupportedContentType = ErrorMessage(
        id: "unsupported_content_type", code: .invalidRequest,
        texts: [
            "en": "The request body must be sent as application/x-www-form-urlencoded.",
            "de": "Der Anfragetext muss als application/x-www-form-urlencoded gesendet werden.",
            "fr": "Le corps de la requête doit être envoyé en application/x-www-form-urlencoded.",
            "es": "El cuerpo de la solicitud debe enviarse como application/x-www-form-urlencoded.",
            "ja": "リクエストボディは application/x-www-form-urlencoded で送信する必要があります。",
        ])
    public static let repeatedParameter = ErrorMessage(
        id: "repeated_parameter", code: .invalidRequest,
        texts: [
            "en": "A request parameter was included more than once.",
            "de": "Ein Anfrageparameter wurde mehrfach angegeben.",
            "fr": "Un paramètre de la requête a été fourni plusieurs fois.",
            "es": "Un parámetro de la solicitud se incluyó más de una vez.",
            "ja": "リクエストパラメーターが複数回指定されています。",
        ])
    public static let missingParameter = ErrorMessage(
        id: "missing_parameter", code: .invalidRequest,
        texts: [
            "en": "A required request parameter is missing.",
            "de": "Ein erforderlicher Anfrageparameter fehlt.",
            "fr": "Un paramètre obligatoire de la requête est manquant.",
            "es": "Falta un parámetro obligatorio de la solicitud.",
            "ja": "必須のリクエストパラメーターがありません。",
        ])
    public static let malformedParameter = ErrorMessage(
        id: "malformed_parameter", code: .invalidRequest,
        texts: [
            "en": "A request parameter is malformed.",
            "de": "Ein Anfrageparameter ist fehlerhaft.",
            "fr": "Un paramètre de la requête est mal formé.",
            "es": "Un parámetro de la solicitud está mal formado.",
            "ja": "リクエストパラメーターの形式が正しくありません。",
        ])
    public static let multipleClientAuthentications = ErrorMessage(
        id: "multiple_client_authentications", code: .invalidRequest,
        texts: [
            "en": "Client credentials must be sent in one way only: either HTTP Basic or the request body.",
            "de": "Client-Zugangsdaten dürfen nur auf eine Weise gesendet werden: entweder per HTTP Basic oder im Anfragetext.",
            "fr": "Les identifiants du client doivent être envoyés d'une seule manière : HTTP Basic ou le corps de la requête.",
            "es": "Las credenciales del cliente deben enviarse de una sola forma: HTTP Basic o el cuerpo de la solicitud.",
            "ja": "クライアント資格情報は HTTP Basic かリクエストボディのどちらか一方でのみ送信してください。",
        ])
    public static let methodNotAllowed = ErrorMessage(
        id: "method_not_allowed", code: .invalidRequest,
        texts: [
            "en": "The request method is not allowed for this endpoint.",
            "de": "Die Anfragemethode ist für diesen Endpunkt nicht erlaubt.",
            "fr": "La méthode de la requête n'est pas autorisée pour ce point de terminaison.",
            "es": "El método de la solicitud no está permitido en este punto de acceso.",
            "ja": "このエンドポイントではこのリクエストメソッドは許可されていません。",
        ])
    public static let bodyTooLarge = ErrorMessage(
        id: "body_too_large", code: .invalidRequest,
        texts: [
            "en": "The request body is too large.",
            "de": "Der Anfragetext ist zu groß.",
            "fr": "Le corps de la requête est trop volumineux.",
            "es": "El cuerpo de la solicitud es demasiado grande.",
            "ja": "リクエストボディが大きすぎます。",
        ])

    public static let unknownClient = ErrorMessage(
        id: "unknown_client",
        code: .invalidRequest,
        texts: [
            "en": "The client_id is missing or does not name a registered client.",
            "de": "Die client_id fehlt oder bezeichnet keinen registrierten Client.",
            "fr": "Le client_id est absent ou ne désigne aucun client enregistré.",
            "es": "Falta el client_id o no corresponde a ningún cliente registrado.",
            "ja": "client_id がないか、登録済みのクライアントを指していません。",
        ]
    )
    public static let unregisteredRedirectURI = ErrorMessage(
        id: "unregistered_redirect_uri",
        code: .invalidRequest,
        texts: [
            "en": "The redirect_uri is missing or is not registered for this client.",
            "de": "Die redirect_uri fehlt oder ist für diesen Client nicht registriert.",
            "fr": "Le redirect_uri est absent ou n'est pas enregistré pour ce client.",
            "es": "Falta el redirect_uri o no está registrado para este cliente.",
            "ja": "redirect_uri がないか、このクライアントに登録されていません。",
        ]
    )
    public static let pkceRequired = ErrorMessage(
        id: "pkce_required",
        code: .invalidRequest,
        texts: [
            "en": "This client must use PKCE: send a code_challenge with code_challenge_method S256.",
            "de": "Dieser Client muss PKCE verwenden: Senden Sie eine code_challenge mit code_challenge_method S256.",
            "fr": "Ce client doit utiliser PKCE : envoyez un code_challenge avec code_challenge_method S256.",
            "es": "Este cliente debe usar PKCE: envíe un code_challenge con code_challenge_method S256.",
            "ja": "このクライアントは PKCE を使用する必要があります。code_challenge_method S256 で code_challenge を送信してください。",
        ]
    )
    public static let unsupportedChallengeMethod = ErrorMessage(
        id: "unsupported_challenge_method",
        code: .invalidRequest,
        texts: [
            "en": "The code_challenge_method must be S256.",
            "de": "Die code_challenge_method muss S256 sein.",
            "fr": "La code_challenge_method doit être S256.",
            "es": "El code_challenge_method debe ser S256.",
            "ja": "code_challenge_method は S256 である必要があります。",
        ]
    )

    public static let tokenOfAnotherClient = ErrorMessage(
        id: "token_of_another_client",
        code: .unauthorizedClient,
        texts: [
            "en": "The token was issued to another client.",
            "de": "Das Token wurde einem anderen Client ausgestellt.",
            "fr": "Le jeton a été délivré à un autre client.",
            "es": "El token se emitió a otro cliente.",
            "ja": "このトークンは別のクライアントに発行されたものです。",
        ]
    )
}
