import HTTPTypes

extension ErrorCatalog {
    /// The authorization errors of OpenID Connect Core §3.1.2.6, answered to `prompt=none`. Like
    /// `access_denied` they travel as a redirect to the client; 400 is their status in JSON.
    static let openIDConnectEntries: [Entry] = [
        Entry(
            code: .loginRequired, status: .badRequest, reference: "OpenID Connect Core §3.1.2.6", message: .loginRequired,
            meaning:
                "The request said prompt=none, but the user would have to sign in: there is no session, or its sign-in is older than max_age.",
            advice: "Send the user through the authorization endpoint again without prompt=none, so that they can sign in."
        ),
        Entry(
            code: .consentRequired, status: .badRequest, reference: "OpenID Connect Core §3.1.2.6", message: .consentRequired,
            meaning: "The request said prompt=none, but the user has not consented to this client and these scopes.",
            advice: "Send the user through the authorization endpoint again without prompt=none, so that they can consent."
        ),
        Entry(
            code: .interactionRequired, status: .badRequest, reference: "OpenID Connect Core §3.1.2.6", message: .interactionRequired,
            meaning:
                "The request said prompt=none, but going on needs a page the user must see, such as the provider's delegated login or consent app.",
            advice: "Send the user through the authorization endpoint again without prompt=none."
        ),
    ]
}

extension OAuthErrorCode {
    // OpenID Connect Core §3.1.2.6
    public static let loginRequired = Self(rawValue: "login_required")
    public static let consentRequired = Self(rawValue: "consent_required")
    public static let interactionRequired = Self(rawValue: "interaction_required")
}

extension ErrorMessage {
    public static let loginRequired = ErrorMessage(
        id: "login_required", code: .loginRequired,
        texts: [
            "en": "The user must sign in, which prompt=none does not allow.",
            "de": "Der Benutzer muss sich anmelden, was prompt=none nicht erlaubt.",
            "fr": "L'utilisateur doit se connecter, ce que prompt=none ne permet pas.",
            "es": "El usuario debe iniciar sesión, lo que prompt=none no permite.",
            "ja": "ユーザーのサインインが必要ですが、prompt=none では許可されていません。",
        ])
    public static let consentRequired = ErrorMessage(
        id: "consent_required", code: .consentRequired,
        texts: [
            "en": "The user must consent, which prompt=none does not allow.",
            "de": "Der Benutzer muss zustimmen, was prompt=none nicht erlaubt.",
            "fr": "L'utilisateur doit donner son consentement, ce que prompt=none ne permet pas.",
            "es": "El usuario debe dar su consentimiento, lo que prompt=none no permite.",
            "ja": "ユーザーの同意が必要ですが、prompt=none では許可されていません。",
        ])
    public static let interactionRequired = ErrorMessage(
        id: "interaction_required", code: .interactionRequired,
        texts: [
            "en": "The request needs a page the user must see, which prompt=none does not allow.",
            "de": "Die Anfrage erfordert eine Seite für den Benutzer, was prompt=none nicht erlaubt.",
            "fr": "La requête nécessite une page que l'utilisateur doit voir, ce que prompt=none ne permet pas.",
            "es": "La solicitud necesita una página que el usuario debe ver, lo que prompt=none no permite.",
            "ja": "ユーザーに表示するページが必要ですが、prompt=none では許可されていません。",
        ])
}
