extension Migration {
    /// SPEC §11, RFC 8628: device authorization requests. Both codes are kept only as SHA-256
    /// hashes; the polling state (`last_polled_at`, `poll_interval`, `too_early`) lives here so that
    /// every instance on one PostgreSQL sees the same. Deleting a client deletes its requests.
    static let deviceCodes = Migration(
        version: 11,
        name: "device authorization requests",
        statements: [
            """
            CREATE TABLE device_codes (
                device_code_hash TEXT PRIMARY KEY,
                user_code_hash TEXT NOT NULL UNIQUE,
                client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
                scope TEXT NOT NULL,
                resources TEXT,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                poll_interval BIGINT NOT NULL,
                last_polled_at BIGINT,
                too_early BOOLEAN NOT NULL DEFAULT FALSE,
                status TEXT NOT NULL,
                grant_id TEXT,
                user_id TEXT,
                delegated BOOLEAN NOT NULL DEFAULT FALSE,
                delegated_username TEXT,
                decided_at BIGINT,
                redeemed_at BIGINT
            )
            """,
            "CREATE INDEX device_codes_expires_at ON device_codes (expires_at)",
            "CREATE INDEX device_codes_client_id ON device_codes (client_id)",
        ]
    )
}
