public import Hummingbird
public import NIOCore

/// The request context of Gatehouse's routes: Hummingbird's basic one plus the peer address,
/// which sign-in throttling needs.
public struct GatehouseRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
