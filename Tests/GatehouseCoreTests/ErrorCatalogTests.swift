import GatehouseCore
import HTTPTypes
import Testing

@Suite("Error catalog")
struct ErrorCatalogTests {
    @Test("every code SPEC.md names has one entry with its RFC status")
    func codesAndStatuses() {
        let expected: [OAuthErrorCode: HTTPResponse.Status] = [
            .invalidRequest: .badRequest, .invalidClient: .unauthorized, .invalidGrant: .badRequest,
            .unauthorizedClient: .badRequest, .unsupportedGrantType: .badRequest, .invalidScope: .badRequest,
            .accessDenied: .badRequest, .unsupportedResponseType: .badRequest, .serverError: .internalServerError,
            .temporarilyUnavailable: .serviceUnavailable, .unsupportedTokenType: .badRequest,
            .invalidToken: .unauthorized, .insufficientScope: .forbidden,
        ]
        #expect(ErrorCatalog.entries.count == expected.count)
        for (code, status) in expected {
            #expect(ErrorCatalog.entry(for: code).status == status, "\(code)")
            #expect(ErrorCatalog.entry(for: code).message.code == code)
        }
    }

    @Test("every message is translated into every catalog language", arguments: ErrorCatalog.messages)
    func translations(message: ErrorMessage) {
        for language in ErrorCatalog.languages {
            let text = message.texts[language]
            #expect(text?.isEmpty == false, "\(message.id) lacks \(language)")
        }
        #expect(Set(message.texts.keys) == Set(ErrorCatalog.languages))
    }

    @Test("English descriptions stay within RFC 6749's error_description characters", arguments: ErrorCatalog.messages)
    func englishCharacterSet(message: ErrorMessage) {
        // RFC 6749 §5.2: %x20-21 / %x23-5B / %x5D-7E
        let allowed = message.english.unicodeScalars.allSatisfy { scalar in
            switch scalar.value {
            case 0x20...0x21, 0x23...0x5B, 0x5D...0x7E: true
            default: false
            }
        }
        #expect(allowed, "\(message.id)")
    }

    @Test("message ids are unique")
    func uniqueIDs() {
        #expect(Set(ErrorCatalog.messages.map(\.id)).count == ErrorCatalog.messages.count)
    }

    @Test("every entry is documented")
    func documented() {
        for entry in ErrorCatalog.entries {
            #expect(!entry.documentation.isEmpty)
            #expect(!entry.reference.isEmpty)
        }
    }
}
