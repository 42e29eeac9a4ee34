import Foundation
import Testing

@testable import GatehouseServer

/// The audit log's own timestamp formatting writes what `Date.ISO8601FormatStyle` with fractional
/// seconds wrote before it.
@Suite("RFC 3339 time")
struct RFC3339TimeTests {
    @Test(
        "matches ISO8601FormatStyle to the millisecond",
        // Fractions a Double holds exactly: Foundation truncates 1_800_000_000.123 to .122.
        arguments: [0, 1_800_000_000.125, 951_782_400.875, 1_709_210_096.5, 4_102_444_799.25, -86_400.5, 1_764_876_000]
    )
    func matchesFoundation(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(RFC3339Time.string(date) == date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    @Test("milliseconds are the instant's, rounded down")
    func milliseconds() {
        #expect(RFC3339Time.string(Date(timeIntervalSince1970: 1_800_000_000.123)) == "2027-01-15T08:00:00.123Z")
        #expect(RFC3339Time.string(Date(timeIntervalSince1970: 1_800_000_000.9999)) == "2027-01-15T08:00:00.999Z")
    }
}
