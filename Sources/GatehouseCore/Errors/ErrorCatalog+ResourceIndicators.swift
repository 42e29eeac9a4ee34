import HTTPTypes

extension ErrorCatalog {
    /// The code of resource indicators (SPEC §10, RFC 8707 §2).
    static let resourceIndicatorEntries: [Entry] = [
    ]
}

extension ErrorMessage {
}
