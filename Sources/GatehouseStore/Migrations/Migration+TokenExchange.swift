extension Migration {
    /// Token exchange (RFC 8693, SPEC §11): an exchanged access token names the hash of its subject
    /// token, whose revocation ends it, and the actors of `act` as a JSON array, current actor
    /// first. NULL: not exchanged, no actor.
    static let tokenExchange = Migration(
        version: 12,
        name: "token exchange",
        statements: [
            "ALTER TABLE access_tokens ADD COLUMN subject_token_hash TEXT",
            "ALTER TABLE access_tokens ADD COLUMN actor TEXT",
        ]
    )
}
