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
            .invalidToken: .unauthorized, .insufficientScope: .forbidden, .invalidTarget: .badRequest,
            .invalidRedirectURI: .badRequest, .invalidClientMetadata: .badRequest, .notFound: .notFound, .conflict: .conflict,
            .loginRequired: .badRequest, .consentRequired: .badRequest, .interactionRequired: .badRequest,
            .authorizationPending: .badRequest, .slowDown: .badRequest, .expiredToken: .badRequest,
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

    @Test("every entry has a meaning and an advice, each of whole sentences, and a reference")
    func documented() {
        for entry in ErrorCatalog.entries {
            for text in [entry.meaning, entry.advice] {
                #expect(text.first?.isUppercase == true, "\(entry.code): \(text)")
                #expect(text.hasSuffix("."), "\(entry.code): \(text)")
            }
            #expect(entry.meaning != entry.advice)
            #expect(!entry.reference.isEmpty)
        }
    }

    @Test("SPEC §5's status exceptions are catalog entries: 405, 413 and 429, each on its code")
    func statusExceptions() {
        let expected: [(ErrorCatalog.StatusException, OAuthErrorCode, HTTPResponse.Status)] = [
            (.methodNotAllowed, .invalidRequest, .methodNotAllowed),
            (.bodyTooLarge, .invalidRequest, .contentTooLarge),
            (.rateLimited, .temporarilyUnavailable, .tooManyRequests),
            (.forgedForm, .invalidRequest, .forbidden),
        ]
        #expect(ErrorCatalog.exceptions.count == expected.count)
        for (exception, code, status) in expected {
            #expect(ErrorCatalog.exceptions.contains(exception))
            #expect(exception.code == code)
            #expect(ErrorCatalog.status(of: code, exception: exception) == status, "\(exception.id)")
            #expect(!exception.situation.isEmpty && !exception.reference.isEmpty)
        }
        // An exception never changes the status of another code.
        #expect(ErrorCatalog.status(of: .invalidGrant, exception: .rateLimited) == .badRequest)
    }

    @Test("an OAuthError takes its status from the catalog")
    func errorStatusFromCatalog() {
        #expect(OAuthError.invalidClient("x", usedBasic: true, realm: "r").status == .unauthorized)
        #expect(OAuthError.methodNotAllowed("PUT", allowed: ["POST"]).status == .methodNotAllowed)
        #expect(OAuthError.methodNotAllowed("PUT", allowed: ["POST"]).headerFields[.allow] == "POST")
        #expect(OAuthError.bodyTooLarge(limit: 10).status == .contentTooLarge)
        let limited = OAuthError.rateLimited(retryAfter: 7, hint: "x")
        #expect(limited.status == .tooManyRequests && limited.code == .temporarilyUnavailable)
        #expect(limited.headerFields[.retryAfter] == "7")
        #expect(OAuthError.serverError("x").status == .internalServerError)
    }
}
