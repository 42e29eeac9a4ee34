import GatehouseCore
import Testing

@Suite("CIDR ranges of trusted proxies")
struct IPAddressRangeTests {
    @Test(
        "an address is inside or outside a range",
        arguments: [
            ("10.0.0.0/8", "10.1.2.3", true),
            ("10.0.0.0/8", "11.0.0.1", false),
            ("192.168.1.0/24", "192.168.1.255", true),
            ("192.168.1.0/24", "192.168.2.1", false),
            ("172.16.0.0/12", "172.31.255.255", true),
            ("172.16.0.0/12", "172.32.0.0", false),
            ("127.0.0.1", "127.0.0.1", true),
            ("127.0.0.1", "127.0.0.2", false),
            ("0.0.0.0/0", "203.0.113.9", true),
            ("::1/128", "::1", true),
            ("::1/128", "::2", false),
            ("fd00::/8", "fd12:3456::1", true),
            ("fd00::/8", "fe80::1", false),
            ("2001:db8::/32", "[2001:db8:0:0:0:0:0:1]", true),
            ("10.0.0.0/8", "::ffff:10.9.8.7", true),
            ("10.0.0.0/8", "fe80::1%eth0", false),
            ("10.0.0.0/8", "not an address", false),
            ("::/0", "10.0.0.1", false),
        ]
    )
    func containment(range: String, address: String, inside: Bool) throws {
        let parsed = try #require(IPAddressRange(range))
        #expect(parsed.contains(address) == inside)
    }

    @Test(
        "malformed ranges are refused",
        arguments: ["", "10.0.0.0/33", "10.0.0/8", "256.0.0.1", "10.0.0.1/-1", "::1/129", "1::2::3", "10.0.0.1/8/8", "01234::1", "localhost"]
    )
    func malformed(range: String) {
        #expect(IPAddressRange(range) == nil)
    }

    @Test("addresses are written canonically, IPv4-mapped IPv6 as IPv4")
    func canonicalForm() {
        #expect(IPAddressRange.canonical("::ffff:192.0.2.1") == "192.0.2.1")
        #expect(IPAddressRange.canonical("[::1]") == "0:0:0:0:0:0:0:1")
        #expect(IPAddressRange.canonical("010.0.0.1") == "10.0.0.1")
        #expect(IPAddressRange.canonical("example.com") == nil)
        #expect(IPAddressRange("10.1.2.3/8")?.description == "10.0.0.0/8")
    }
}
