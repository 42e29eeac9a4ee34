import GatehouseCore
import Testing

@Suite("Form parameters")
struct RequestParametersTests {
    private func parse(_ body: String) throws(OAuthError) -> RequestParameters {
        try RequestParameters(formEncoded: Array(body.utf8))
    }

    @Test("decodes plus as space and percent escapes as UTF-8")
    func decoding() throws {
        let parameters = try parse("scope=read+write&name=J%C3%BCrgen&x=%2B%26")
        #expect(parameters["scope"] == "read write")
        #expect(parameters["name"] == "Jürgen")
        #expect(parameters["x"] == "+&")
    }

    @Test("an empty value counts as omitted (RFC 6749 §3.1)")
    func emptyValues() throws {
        let parameters = try parse("grant_type=&scope")
        #expect(parameters["grant_type"] == nil)
        #expect(parameters["scope"] == nil)
        #expect(throws: OAuthError.self) { try parameters.required("grant_type") }
    }

    @Test(
        "refuses repeated parameters and broken encodings with invalid_request",
        arguments: ["a=1&a=2", "a=1&a=", "a=%zz", "a=%4", "a=%FF", "a%=1"]
    )
    func refusals(body: String) {
        #expect(throws: OAuthError.self) { try parse(body) }
        do {
            _ = try parse(body)
        } catch {
            #expect(error.code == .invalidRequest)
        }
    }

    @Test("empty pairs are skipped")
    func emptyPairs() throws {
        #expect(try parse("&&a=1&&")["a"] == "1")
    }
}
