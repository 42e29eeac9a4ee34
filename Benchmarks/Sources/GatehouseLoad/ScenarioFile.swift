/// The benchmark as data (`Benchmarks/scenarios.json`): what to seed, and which requests to send.
///
/// Request templates may name placeholders in braces, filled in per request:
/// `{client_id}` (the scenario client's id), `{session}` (the seeded session's cookie value),
/// `{pkce_verifier}` and `{pkce_challenge}` (one fixed S256 pair), `{redirect_uri}` (the client's
/// first redirect URI, form-encoded), `{item}` (the scenario's next seeded item), and any value an
/// earlier step of the same flow captured (e.g. `{code}`).
struct ScenarioFile: Codable, Sendable {
    /// Clients registered through the store before the server starts; scenarios name them.
    var clients: [ClientSeed]
    /// One user with a signed-in browser session and consents, for the code flow.
    var user: UserSeed?
    /// The target for each server's peak resident memory.
    var maximumPeakRSSMiB: Double?
    var scenarios: [Scenario]
}

struct ClientSeed: Codable, Sendable {
    var name: String
    var grantTypes: [String]
    var scope: String
    var redirectURIs: [String]?
    /// `jwt` for RFC 9068 access tokens; otherwise the server's default, opaque.
    var tokenFormat: String?
    var canIntrospect: Bool?
}

struct UserSeed: Codable, Sendable {
    var username: String
    /// Client names and the scopes the user has already consented to, so that the authorization
    /// endpoint redirects at once.
    var consents: [String: String]
}

struct Scenario: Codable, Sendable {
    /// A short key (`client_credentials`), used in result files.
    var name: String
    /// What the report shows.
    var title: String
    /// The one scenario every ratio is taken against.
    var baseline: Bool?
    /// The client whose credentials go in `Authorization: Basic` (and `{client_id}`).
    var client: String?
    /// Seeded items the requests use, one `{item}` per flow.
    var items: ItemPool?
    /// One flow: the steps run in order on one connection, the next starting when the previous
    /// answered as expected.
    var steps: [Step]
    /// Targets by setup kind, `sqlite` or `postgres`, for the report's "against the targets".
    var targets: [String: Targets]?
}

struct ItemPool: Codable, Sendable {
    /// `refresh_token` (one grant per token, from a redeemed code of `owner`) or `access_token`.
    var kind: String
    /// The client the tokens belong to.
    var owner: String
    /// `true`: each item is used once (rotation, revocation), and enough are seeded for the whole
    /// run; `false`: `count` items are used round robin.
    var consumed: Bool
    /// Round robin: how many. Consumed: how many per second of the run to seed (default: the
    /// driver's `--items-per-second`); seed for a little more than the scenario can reach.
    var count: Int?
    var perSecond: Int?
}

struct Step: Codable, Sendable {
    var method: String
    var path: String
    var body: String?
    /// Sends the seeded session's cookie.
    var session: Bool?
    var expectStatus: Int
    /// A substring the response body must contain.
    var expectBody: String?
    /// The response body must be exactly empty (RFC 7009's answer).
    var expectEmptyBody: Bool?
    /// Names a query parameter of the `Location` header to keep for later steps, e.g. `code`.
    var captureFromLocation: String?
}

/// The acceptance targets of issue 8, as ratios to the baseline and milliseconds.
struct Targets: Codable, Sendable {
    var minimumRatio: Double?
    var maximumServerCPUms: Double?
    var maximumOpenLoopP99ms: Double?
}
