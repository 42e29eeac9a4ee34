import HTTPTypes

extension ErrorCatalog {
    /// The codes of client registration and the admin API (SPEC §10, RFC 7591 §3.2.2).
    static let registrationEntries: [Entry] = [
    ]
}

extension ErrorMessage {
}
