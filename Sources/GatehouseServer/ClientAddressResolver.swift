public import GatehouseCore
import HTTPTypes
public import Hummingbird
import NIOCore

/// The client address of a request as SPEC §9 decides it (``ClientAddress``), for the rate limits
/// and the audit log. Nothing else in the server decides an address.
public struct ClientAddressResolver: Sendable {
    public let trustedProxies: [IPAddressRange]

    public init(trustedProxies: [IPAddressRange]) {
        self.trustedProxies = trustedProxies
    }

    public func address(of request: Request, context: some RemoteAddressRequestContext) -> String? {
        let remote = context.remoteAddress
        let peer = remote?.ipAddress
        // Without trusted proxies the headers are never read.
        guard !trustedProxies.isEmpty else {
            // inet_ntop's dotted quad is canonical already; only IPv6 text needs the parse (2 % of
            // a token request).
            if case .v4 = remote { return peer }
            return peer.map { IPAddressRange.canonical($0) ?? $0 }
        }
        return ClientAddress.resolve(
            peer: peer,
            forwardedFor: request.headers[values: Self.xForwardedFor],
            forwarded: request.headers[values: Self.forwarded],
            trustedProxies: trustedProxies
        )
    }

    // Valid field names, so the failable initializer never fails; the fallback only spares a force
    // unwrap on a request path.
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For") ?? .via
    static let forwarded = HTTPField.Name("Forwarded") ?? .via
}
