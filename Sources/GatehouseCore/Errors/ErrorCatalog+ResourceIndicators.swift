import HTTPTypes

extension ErrorCatalog {
    /// The code of resource indicators (SPEC §10, RFC 8707 §2).
    static let resourceIndicatorEntries: [Entry] = [
        Entry(
            code: .invalidTarget, status: .badRequest, reference: "RFC 8707 §2", message: .invalidTarget,
            meaning:
                "A resource or audience parameter is not an absolute URI without fragment, is not one of the resources this server issues tokens for, or widens the resources of the grant.",
            advice: "Ask only for resources the server lists, and on a refresh or exchange only for resources of the original grant."
        )
    ]
}

extension ErrorMessage {
    public static let invalidTarget = ErrorMessage(
        id: "invalid_target", code: .invalidTarget,
        texts: [
            "en": "The requested resource or audience is invalid, unknown, or wider than the grant allows.",
            "de": "Die angeforderte Ressource oder Zielgruppe ist ungültig, unbekannt oder geht über die Autorisierung hinaus.",
            "fr": "La ressource ou l'audience demandée est invalide, inconnue ou dépasse ce que l'autorisation permet.",
            "es": "El recurso o la audiencia solicitados no son válidos, son desconocidos o exceden lo que permite la autorización.",
            "ja": "要求されたリソースまたはオーディエンスが無効、不明、または認可の範囲を超えています。",
        ])
}
