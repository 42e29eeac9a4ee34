import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A loopback HTTP server answering every request with one JWKS document, so that `JWKSVerifier`
/// gets its key the way it does in production (its preload hook is internal to the main package).
final class JWKSEndpoint: Sendable {
    static let shared = JWKSEndpoint()

    private let document = Mutex<String>("")
    private let url = Mutex<String?>(nil)

    /// Starts the server once and serves `document` from then on; returns its URL.
    func start(serving document: String) async throws -> String {
        self.document.withLock { $0 = document }
        if let url = url.withLock({ $0 }) { return url }
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Responder(endpoint: self))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let address = "http://127.0.0.1:\(channel.localAddress?.port ?? 0)/jwks"
        url.withLock { $0 = address }
        return address
    }

    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let endpoint: JWKSEndpoint

        init(endpoint: JWKSEndpoint) { self.endpoint = endpoint }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            let body = context.channel.allocator.buffer(string: endpoint.document.withLock { $0 })
            let headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(body.readableBytes))])
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
