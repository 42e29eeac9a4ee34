import GatehouseCore
import Testing

/// SPEC §9 "Client address": the socket peer, unless it is a trusted proxy; then the right-most
/// forwarded address that is not itself a trusted proxy.
struct ClientAddressRow: Sendable, CustomTestStringConvertible {
    let situation: String
    let peer: String?
    var forwardedFor: [String] = []
    var forwarded: [String] = []
    var trusted: [String] = ["10.0.0.0/8", "fd00::/8"]
    let expected: String?

    var testDescription: String { situation }

    static let all: [ClientAddressRow] = [
        ClientAddressRow(situation: "no proxy: the peer", peer: "203.0.113.7", expected: "203.0.113.7"),
        ClientAddressRow(
            situation: "an untrusted peer's headers are ignored", peer: "203.0.113.7", forwardedFor: ["198.51.100.1"],
            forwarded: ["for=198.51.100.2"], expected: "203.0.113.7"
        ),
        ClientAddressRow(
            situation: "no trusted proxies configured: headers ignored", peer: "10.0.0.1", forwardedFor: ["198.51.100.1"], trusted: [],
            expected: "10.0.0.1"
        ),
        ClientAddressRow(situation: "trusted peer, one hop", peer: "10.0.0.1", forwardedFor: ["198.51.100.1"], expected: "198.51.100.1"),
        ClientAddressRow(
            situation: "a spoofed left-most entry is not believed", peer: "10.0.0.1", forwardedFor: ["1.2.3.4, 198.51.100.1"],
            expected: "198.51.100.1"
        ),
        ClientAddressRow(
            situation: "trusted hops are skipped from the right", peer: "10.0.0.1", forwardedFor: ["1.2.3.4, 198.51.100.1, 10.0.0.9"],
            expected: "198.51.100.1"
        ),
        ClientAddressRow(
            situation: "several header lines form one list", peer: "10.0.0.1", forwardedFor: ["1.2.3.4", "198.51.100.1, 10.0.0.9"],
            expected: "198.51.100.1"
        ),
        ClientAddressRow(
            situation: "every hop trusted: the left-most", peer: "10.0.0.1", forwardedFor: ["10.1.1.1, 10.2.2.2"], expected: "10.1.1.1"
        ),
        ClientAddressRow(situation: "trusted peer without headers: the peer", peer: "10.0.0.1", expected: "10.0.0.1"),
        ClientAddressRow(
            situation: "garbage right of the client stops the walk at the last trusted hop", peer: "10.0.0.1",
            forwardedFor: ["198.51.100.1, unknown"], expected: "10.0.0.1"
        ),
        ClientAddressRow(
            situation: "IPv6 in X-Forwarded-For, canonical", peer: "fd00::1", forwardedFor: ["2001:DB8:0:0::17"], expected: "2001:db8:0:0:0:0:0:17"),
        ClientAddressRow(situation: "IPv4 with a port", peer: "10.0.0.1", forwardedFor: ["198.51.100.1:5678"], expected: "198.51.100.1"),
        ClientAddressRow(
            situation: "IPv4-mapped peer matches an IPv4 range", peer: "::ffff:10.0.0.1", forwardedFor: ["198.51.100.1"], expected: "198.51.100.1"),
        ClientAddressRow(
            situation: "Forwarded with a bracketed IPv6 and port", peer: "10.0.0.1", forwarded: [#"for="[2001:db8:cafe::17]:4711";proto=https"#],
            expected: "2001:db8:cafe:0:0:0:0:17"
        ),
        ClientAddressRow(
            situation: "Forwarded: right-most untrusted, spoofed left ignored", peer: "10.0.0.1",
            forwarded: ["for=1.2.3.4, For=198.51.100.1;by=10.0.0.1, for=10.0.0.5"], expected: "198.51.100.1"
        ),
        ClientAddressRow(
            situation: "Forwarded: an obfuscated node ends the walk", peer: "10.0.0.1", forwarded: ["for=198.51.100.1, for=_hidden"],
            expected: "10.0.0.1"
        ),
        ClientAddressRow(
            situation: "X-Forwarded-For wins over Forwarded", peer: "10.0.0.1", forwardedFor: ["198.51.100.1"], forwarded: ["for=198.51.100.2"],
            expected: "198.51.100.1"
        ),
        ClientAddressRow(situation: "no peer: none", peer: nil, forwardedFor: ["198.51.100.1"], expected: nil),
    ]
}

@Suite("Client address")
struct ClientAddressTests {
    @Test("the client address follows SPEC §9", .spec("ops.client-address"), arguments: ClientAddressRow.all)
    func resolve(row: ClientAddressRow) {
        let address = ClientAddress.resolve(
            peer: row.peer, forwardedFor: row.forwardedFor, forwarded: row.forwarded, trustedProxies: row.trusted.compactMap(IPAddressRange.init)
        )
        #expect(address == row.expected)
    }
}
