/// One versioned change of the schema. Statements are written once, in the SQL both SQLite and
/// PostgreSQL accept.
struct Migration: Sendable {
    let version: Int
    let name: String
    let statements: [String]
    /// Run before `statements`, by database: what the two do differently, such as dropping a
    /// constraint.
    var sqliteStatements: [String] = []
    var postgresStatements: [String] = []
}

extension Migration {
    /// Every migration, in order. Append new ones; never edit one that has shipped.
    static let all: [Migration] = [
        .initialSchema, .browserSessions, .signingKeys, .rateLimits, .tokenParents, .clientMetadata, .resourceIndicators,
        .delegatedSubjects, .userProfiles, .openIDConnect, .deviceCodes, .tokenExchange, .parentIndexesDropped,
    ]

    /// Clients, users, grants, authorization codes, access and refresh tokens. Secrets, codes and
    /// tokens are kept only as SHA-256 hashes; times are Unix seconds.
    static let initialSchema = Migration(
        version: 1,
        name: "initial schema",
        statements: [
            """
            CREATE TABLE clients (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                secret_hash TEXT,
                redirect_uris TEXT NOT NULL,
                grant_types TEXT NOT NULL,
                scopes TEXT NOT NULL,
                token_format TEXT,
                skip_consent BOOLEAN NOT NULL,
                can_introspect BOOLEAN NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                username TEXT NOT NULL UNIQUE,
                password_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE grants (
                id TEXT PRIMARY KEY,
                client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
                user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
                scope TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                revoked_at BIGINT
            )
            """,
            "CREATE INDEX grants_client_id ON grants (client_id)",
            "CREATE INDEX grants_user_id ON grants (user_id)",
            """
            CREATE TABLE authorization_codes (
                code_hash TEXT PRIMARY KEY,
                grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
                client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                redirect_uri TEXT,
                scope TEXT NOT NULL,
                code_challenge TEXT,
                code_challenge_method TEXT,
                state TEXT,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                consumed_at BIGINT
            )
            """,
            "CREATE INDEX authorization_codes_grant_id ON authorization_codes (grant_id)",
            // Keyed by the token's hash, the one lookup on the hot path. `id` (the jti) needs no
            // index of its own, and the grant index skips client_credentials tokens, which have no
            // grant: every index is one more B-tree page written per insert.
            """
            CREATE TABLE access_tokens (
                token_hash TEXT PRIMARY KEY,
                id TEXT NOT NULL,
                client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
                user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
                grant_id TEXT REFERENCES grants(id) ON DELETE CASCADE,
                scope TEXT NOT NULL,
                issued_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                revoked_at BIGINT
            )
            """,
            "CREATE INDEX access_tokens_client_id ON access_tokens (client_id)",
            "CREATE INDEX access_tokens_grant_id ON access_tokens (grant_id) WHERE grant_id IS NOT NULL",
            """
            CREATE TABLE refresh_tokens (
                token_hash TEXT PRIMARY KEY,
                id TEXT NOT NULL,
                grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
                client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
                user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
                scope TEXT NOT NULL,
                issued_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                rotated_at BIGINT,
                revoked_at BIGINT
            )
            """,
            "CREATE INDEX refresh_tokens_grant_id ON refresh_tokens (grant_id)",
        ]
    )

    /// What the authorization endpoint's pages need: server-side sessions, remembered consents and
    /// the failed sign-in counter.
    static let browserSessions = Migration(
        version: 2,
        name: "sessions, consents, login attempts",
        statements: [
            """
            CREATE TABLE sessions (
                id_hash TEXT PRIMARY KEY,
                user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
                csrf_token TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE consents (
                client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                scope TEXT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (client_id, user_id)
            )
            """,
            """
            CREATE TABLE login_attempts (
                attempt_key TEXT PRIMARY KEY,
                failures INTEGER NOT NULL,
                last_failure_at BIGINT NOT NULL
            )
            """,
        ]
    )

    /// JWT signing keys, shared by every instance; private keys sealed when a key-encryption key
    /// is configured. Creation times in milliseconds: the newest key signs, even after two
    /// rotations within one second.
    static let signingKeys = Migration(
        version: 3,
        name: "signing keys",
        statements: [
            """
            CREATE TABLE signing_keys (
                kid TEXT PRIMARY KEY,
                algorithm TEXT NOT NULL,
                sealed_private_key TEXT NOT NULL,
                created_at_ms BIGINT NOT NULL
            )
            """
        ]
    )

    /// The rate limits of SPEC §9, one row per attempt so that windows slide by time alone, and
    /// the secrets every instance shares (the pre-login cookie's signing key).
    static let rateLimits = Migration(
        version: 4,
        name: "rate limits, server secrets",
        statements: [
            """
            CREATE TABLE rate_limit_attempts (
                limit_key TEXT NOT NULL,
                attempted_at_ms BIGINT NOT NULL,
                attempt_id TEXT NOT NULL,
                PRIMARY KEY (limit_key, attempted_at_ms, attempt_id)
            )
            """,
            "CREATE INDEX rate_limit_attempts_attempted_at ON rate_limit_attempts (attempted_at_ms)",
            """
            CREATE TABLE server_secrets (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
        ]
    )

    /// Which refresh token's rotation issued each pair, so that a retry within
    /// `refresh_token_reuse_interval` can revoke the pair of the earlier use (SPEC §9); and the
    /// indexes the bulk revocations of one client or user, and the end of a user's sessions, need.
    static let tokenParents = Migration(
        version: 5,
        name: "token parents, revocation indexes",
        statements: [
            "ALTER TABLE access_tokens ADD COLUMN parent_token_hash TEXT",
            "ALTER TABLE refresh_tokens ADD COLUMN parent_token_hash TEXT",
            "CREATE INDEX access_tokens_parent ON access_tokens (parent_token_hash) WHERE parent_token_hash IS NOT NULL",
            "CREATE INDEX refresh_tokens_parent ON refresh_tokens (parent_token_hash) WHERE parent_token_hash IS NOT NULL",
            "CREATE INDEX access_tokens_user_id ON access_tokens (user_id) WHERE user_id IS NOT NULL",
            "CREATE INDEX refresh_tokens_client_id ON refresh_tokens (client_id)",
            "CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id)",
            "CREATE INDEX sessions_user_id ON sessions (user_id) WHERE user_id IS NOT NULL",
            "CREATE INDEX consents_user_id ON consents (user_id)",
        ]
    )

    /// RFC 7591 client metadata, the secret a rotation keeps valid for a grace period, and the
    /// RFC 7592 registration access token (SPEC §10). Contacts are a JSON array: unlike URIs, a
    /// contact may contain spaces. The index serves the admin API's pages, oldest first.
    static let clientMetadata = Migration(
        version: 6,
        name: "client metadata, secret rotation, registration tokens",
        statements: [
            "ALTER TABLE clients ADD COLUMN token_endpoint_auth_method TEXT",
            "ALTER TABLE clients ADD COLUMN client_uri TEXT",
            "ALTER TABLE clients ADD COLUMN logo_uri TEXT",
            "ALTER TABLE clients ADD COLUMN contacts TEXT NOT NULL DEFAULT '[]'",
            "ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE clients ADD COLUMN previous_secret_hash TEXT",
            "ALTER TABLE clients ADD COLUMN previous_secret_expires_at BIGINT",
            "ALTER TABLE clients ADD COLUMN registration_access_token_hash TEXT",
            "CREATE INDEX clients_created_at_id ON clients (created_at, id)",
        ]
    )

    /// The resources (RFC 8707) of each grant and authorization code, and the audience of each
    /// access token that was requested for resources (SPEC §10). Space-separated absolute URIs;
    /// NULL: none, and the audience is `access_token_audience`.
    static let resourceIndicators = Migration(
        version: 7,
        name: "resource indicators",
        statements: [
            "ALTER TABLE grants ADD COLUMN resources TEXT",
            "ALTER TABLE authorization_codes ADD COLUMN resources TEXT",
            "ALTER TABLE access_tokens ADD COLUMN audience TEXT",
        ]
    )

    /// SPEC §10 "Delegated login and consent": the provider's login app names the subject, which
    /// the built-in user store need not know, so the references to `users` go (deleting a user
    /// deletes its rows explicitly instead). Grants and sessions say whether their subject was
    /// delegated and the username the app gave; the login and consent challenges are kept by hash.
    ///
    /// SQLite cannot drop a constraint; removing a foreign-key clause changes nothing stored, so
    /// the table definitions are edited in place (sqlite.org/lang_altertable.html §7), and the
    /// `ALTER TABLE`s that follow bump the schema cookie so every open connection rereads them.
    static let delegatedSubjects = Migration(
        version: 8,
        name: "delegated subjects, interaction challenges",
        statements: [
            "ALTER TABLE grants ADD COLUMN delegated BOOLEAN NOT NULL DEFAULT FALSE",
            "ALTER TABLE grants ADD COLUMN delegated_username TEXT",
            "ALTER TABLE sessions ADD COLUMN delegated BOOLEAN NOT NULL DEFAULT FALSE",
            "ALTER TABLE sessions ADD COLUMN delegated_username TEXT",
            "ALTER TABLE sessions ADD COLUMN remembered BOOLEAN NOT NULL DEFAULT TRUE",
            """
            CREATE TABLE interaction_challenges (
                challenge_hash TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                browser_hash TEXT NOT NULL,
                request_query TEXT NOT NULL,
                subject TEXT,
                delegated BOOLEAN NOT NULL,
                delegated_username TEXT,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                decision TEXT,
                verifier_hash TEXT UNIQUE,
                decided_at BIGINT,
                completed_at BIGINT
            )
            """,
            "CREATE INDEX interaction_challenges_expires_at ON interaction_challenges (expires_at)",
            "CREATE INDEX authorization_codes_user_id ON authorization_codes (user_id)",
        ],
        sqliteStatements: [
            "PRAGMA writable_schema = ON",
            """
            UPDATE sqlite_master SET sql = replace(sql, ' REFERENCES users(id) ON DELETE CASCADE', '')
            WHERE type = 'table' AND name IN ('grants', 'authorization_codes', 'access_tokens', 'refresh_tokens', 'sessions', 'consents')
            """,
            "PRAGMA writable_schema = RESET",
        ],
        postgresStatements: ["grants", "authorization_codes", "access_tokens", "refresh_tokens", "sessions", "consents"].map {
            "ALTER TABLE \($0) DROP CONSTRAINT IF EXISTS \($0)_user_id_fkey"
        }
    )

    /// The optional profile of a user (SPEC §2 `--email`, `--name`), for the claims of SPEC §11.
    /// NULL: not set.
    static let userProfiles = Migration(
        version: 9,
        name: "user email and name",
        statements: [
            "ALTER TABLE users ADD COLUMN email TEXT",
            "ALTER TABLE users ADD COLUMN name TEXT",
        ]
    )
}
