import HTTPTypes

extension ErrorCatalog {
    /// The token endpoint's answers to a device polling for its authorization (SPEC §11, RFC 8628
    /// §3.5). `access_denied` is RFC 6749's, answered here too when the user denied the request.
    static let deviceAuthorizationEntries: [Entry] = [
        Entry(
            code: .authorizationPending, status: .badRequest, reference: "RFC 8628 §3.5", message: .authorizationPending,
            meaning: "The user has not yet allowed or denied the device authorization request.",
            advice: "Keep polling the token endpoint with the same device_code, waiting the interval between requests."
        ),
        Entry(
            code: .slowDown, status: .badRequest, reference: "RFC 8628 §3.5", message: .slowDown,
            meaning:
                "The device polled the token endpoint sooner than the interval after its previous request; the interval has grown by 5 seconds.",
            advice: "Add 5 seconds to the polling interval for this and every later request of the device code."
        ),
        Entry(
            code: .expiredToken, status: .badRequest, reference: "RFC 8628 §3.5", message: .expiredToken,
            meaning: "The device_code expired (after expires_in seconds) before it was redeemed.",
            advice: "Stop polling and start a new device authorization request."
        ),
    ]
}

extension OAuthErrorCode {
    // RFC 8628 §3.5
    public static let authorizationPending = Self(rawValue: "authorization_pending")
    public static let slowDown = Self(rawValue: "slow_down")
    public static let expiredToken = Self(rawValue: "expired_token")
}

extension OAuthError {
    /// `authorization_pending` (RFC 8628 §3.5): the user has not decided yet.
    public static func authorizationPending(_ hint: String) -> Self { Self(.authorizationPending, hint: hint) }
    /// `slow_down` (RFC 8628 §3.5): polled too early; the interval grew by 5 seconds.
    public static func slowDown(_ hint: String) -> Self { Self(.slowDown, hint: hint) }
    /// `expired_token` (RFC 8628 §3.5): the device code expired.
    public static func expiredToken(_ hint: String) -> Self { Self(.expiredToken, hint: hint) }
}

extension ErrorMessage {
    public static let authorizationPending = ErrorMessage(
        id: "authorization_pending", code: .authorizationPending,
        texts: [
            "en": "The authorization request is still pending: the user has not yet allowed or denied it.",
            "de": "Die Autorisierungsanfrage ist noch offen: Der Benutzer hat sie noch nicht erlaubt oder abgelehnt.",
            "fr": "La demande d'autorisation est toujours en attente : l'utilisateur ne l'a pas encore acceptée ni refusée.",
            "es": "La solicitud de autorización sigue pendiente: el usuario aún no la ha permitido ni denegado.",
            "ja": "認可リクエストは保留中です。ユーザーはまだ許可も拒否もしていません。",
        ])
    public static let slowDown = ErrorMessage(
        id: "slow_down", code: .slowDown,
        texts: [
            "en": "The authorization request is still pending and polling is too frequent: wait 5 seconds longer between requests.",
            "de": "Die Autorisierungsanfrage ist noch offen und wird zu oft abgefragt: Warten Sie 5 Sekunden länger zwischen den Anfragen.",
            "fr": "La demande d'autorisation est toujours en attente et interrogée trop souvent : attendez 5 secondes de plus entre les requêtes.",
            "es": "La solicitud de autorización sigue pendiente y se consulta con demasiada frecuencia: espere 5 segundos más entre solicitudes.",
            "ja": "認可リクエストは保留中で、ポーリングが頻繁すぎます。リクエストの間隔を5秒延ばしてください。",
        ])
    public static let expiredToken = ErrorMessage(
        id: "expired_token", code: .expiredToken,
        texts: [
            "en": "The device code has expired. Start a new device authorization request.",
            "de": "Der Gerätecode ist abgelaufen. Starten Sie eine neue Geräteautorisierung.",
            "fr": "Le code d'appareil a expiré. Lancez une nouvelle demande d'autorisation d'appareil.",
            "es": "El código de dispositivo ha caducado. Inicie una nueva solicitud de autorización de dispositivo.",
            "ja": "デバイスコードの有効期限が切れました。新しいデバイス認可リクエストを開始してください。",
        ])
}
