public import GatehouseResource
public import Hummingbird
public import NIOCore

/// The request context of Gatehouse's routes: Hummingbird's basic one plus the peer address,
/// which sign-in throttling needs, and the verified token of protected routes.
public struct GatehouseRequestContext: RequestContext, RemoteAddressRequestContext, BearerTokenRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The verified bearer token on routes behind `BearerTokenMiddleware` (`/api/me`).
    public var accessToken: AccessTokenClaims?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.accessToken = nil
    }
}
