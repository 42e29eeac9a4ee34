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

    public init(parameters: RequestParameters, client: Client, now: Date) {
        self.parameters = parameters
        self.client = client
        self.now = now
    }
}
