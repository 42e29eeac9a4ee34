import HTTPTypes

extension ErrorCatalog {
    /// The codes of client registration and the admin API (SPEC §10, RFC 7591 §3.2.2).
    static let registrationEntries: [Entry] = [
        Entry(
            code: .invalidRedirectURI, status: .badRequest, reference: "RFC 7591 §3.2.2", message: .invalidRedirectURI,
            meaning:
                "A redirect URI of a client registration is not acceptable: it is missing for the authorization code grant, not absolute, has a fragment, uses http on a host that is not loopback, or a scheme the client may not use.",
            advice: "Register https redirect URIs, http only on 127.0.0.1, [::1] or localhost, or a private-use scheme for a public client."
        ),
        Entry(
            code: .invalidClientMetadata, status: .badRequest, reference: "RFC 7591 §3.2.2", message: .invalidClientMetadata,
            meaning:
                "A field of the client metadata is invalid: grant_types and response_types disagree, a grant type or authentication method is not supported or not allowed here, or a scope is reserved or not allowed for registration.",
            advice: "Fix the named metadata field and register again."
        ),
        Entry(
            code: .notFound, status: .notFound, reference: "SPEC §10", message: .notFound,
            meaning: "The object the request names does not exist, or no longer does (an expired challenge, a deleted client).",
            advice: "Check the identifier; list the objects to find the right one."
        ),
        Entry(
            code: .conflict, status: .conflict, reference: "SPEC §10", message: .conflict,
            meaning: "The request would create a duplicate, such as a second client with the same name.",
            advice: "Choose another name, or change the existing object instead."
        ),
    ]
}

extension ErrorMessage {
    public static let invalidRedirectURI = ErrorMessage(
        id: "invalid_redirect_uri", code: .invalidRedirectURI,
        texts: [
            "en": "A redirect URI of the client metadata is invalid.",
            "de": "Eine Weiterleitungs-URI der Client-Metadaten ist ungültig.",
            "fr": "Une URI de redirection des métadonnées du client est invalide.",
            "es": "Una URI de redirección de los metadatos del cliente no es válida.",
            "ja": "クライアントメタデータのリダイレクト URI が無効です。",
        ])
    public static let invalidClientMetadata = ErrorMessage(
        id: "invalid_client_metadata", code: .invalidClientMetadata,
        texts: [
            "en": "A field of the client metadata is invalid.",
            "de": "Ein Feld der Client-Metadaten ist ungültig.",
            "fr": "Un champ des métadonnées du client est invalide.",
            "es": "Un campo de los metadatos del cliente no es válido.",
            "ja": "クライアントメタデータの項目が無効です。",
        ])
    public static let notFound = ErrorMessage(
        id: "not_found", code: .notFound,
        texts: [
            "en": "The requested object does not exist.",
            "de": "Das angeforderte Objekt existiert nicht.",
            "fr": "L'objet demandé n'existe pas.",
            "es": "El objeto solicitado no existe.",
            "ja": "要求されたオブジェクトは存在しません。",
        ])
    public static let conflict = ErrorMessage(
        id: "conflict", code: .conflict,
        texts: [
            "en": "The request conflicts with an existing object, such as a duplicate name.",
            "de": "Die Anfrage steht im Konflikt mit einem vorhandenen Objekt, etwa einem doppelten Namen.",
            "fr": "La requête est en conflit avec un objet existant, par exemple un nom en double.",
            "es": "La solicitud entra en conflicto con un objeto existente, como un nombre duplicado.",
            "ja": "リクエストが既存のオブジェクト（重複した名前など）と競合しています。",
        ])
}
