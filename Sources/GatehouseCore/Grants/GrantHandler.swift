public import Foundation

/// One grant type of the token endpoint (RFC 6749 §4).
///
/// The endpoint has already parsed the request, authenticated the client and checked that the
/// client may use this grant; a handler validates the grant itself and issues tokens. Handlers
/// never see HTTP.
public protocol GrantHandler: Sendable {
    var grantType: GrantType { get }
    func handle(_ request: GrantRequest) async throws -> TokenResponse
}

/// What a grant handler receives.
public struct GrantRequest: Sendable {
    public let parameters: RequestParameters
    public let client: Client
    public let now: Date
    /// Whether the client authenticated with HTTP Basic, for the `WWW-Authenticate` of a late
    /// `invalid_client` (RFC 6749 §5.2).
    public let usedBasic: Bool
    /// The realm of that challenge.
    public let realm: String
    /// The client's address as SPEC §9 decides it, for the audit log.
    public let address: String?
    /// The resources a `resource` parameter may name (``ServerConfiguration/knownResources``).
    public let knownResources: Set<String>

    public init(
        parameters: RequestParameters, client: Client, now: Date, usedBasic: Bool = false, realm: String = "gatehouse",
        address: String? = nil, knownResources: Set<String> = []
    ) {
        self.parameters = parameters
        self.client = client
        self.now = now
        self.usedBasic = usedBasic
        self.realm = realm
        self.address = address
        self.knownResources = knownResources
    }

    /// Runs a unit of work that stores tokens for the client, turning a client deleted since it
    /// authenticated into `invalid_client` (SPEC §9: a deleted client is refused with 401, never
    /// a 5xx).
    func storing<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch StoreError.missingReference(let what) {
            throw OAuthError.invalidClient("client \(client.id) deleted while its tokens were stored (\(what))", usedBasic: usedBasic, realm: realm)
        }
    }
}
