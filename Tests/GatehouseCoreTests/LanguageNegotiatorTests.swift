import GatehouseCore
import Testing

@Suite("Accept-Language negotiation")
struct LanguageNegotiatorTests {
    let negotiator = LanguageNegotiator(supported: ["en", "de", "fr", "es", "ja"])

    @Test(
        "picks the best supported language",
        arguments: [
            (nil, "en"),
            ("", "en"),
            ("de", "de"),
            ("fr;q=0.2, de;q=0.9", "de"),
            ("de;q=0.5, fr;q=0.5", "de"),
            ("xx", "en"),
            ("xx, ja;q=0.1", "ja"),
            ("de-CH", "de"),
            ("DE", "de"),
            ("*", "en"),
            ("de;q=0, *", "en"),
            ("es;q=0", "en"),
            ("fr;q=abc, es", "es"),
            ("  ja ; q=0.8 ,en;q=0.7", "ja"),
            (";;,,", "en"),
        ] as [(String?, String)]
    )
    func negotiates(header: String?, expected: String) {
        #expect(negotiator.language(for: header) == expected)
    }

    @Test("a language the server is not configured for falls back to English")
    func unconfiguredLanguage() {
        let germanOff = LanguageNegotiator(supported: ["en", "fr"])
        #expect(germanOff.language(for: "de") == "en")
        #expect(germanOff.language(for: "de, fr;q=0.5") == "fr")
    }
}
