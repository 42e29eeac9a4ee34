import Hummingbird
import Testing

@testable import GatehouseServer

/// RFC 6749 §3.2 with RFC 9110 §8.3.1: the token endpoint takes a form whatever the case of its
/// media type, with parameters and optional white space, and nothing else.
@Suite("Form content type")
struct FormContentTypeTests {
    @Test(
        "the media type is compared without case, parameters and surrounding blanks",
        arguments: [
            ("application/x-www-form-urlencoded", true),
            ("Application/X-WWW-Form-URLEncoded", true),
            ("application/x-www-form-urlencoded; charset=UTF-8", true),
            (" \tapplication/x-www-form-urlencoded ;charset=utf-8", true),
            ("application/json", false),
            ("application/x-www-form-urlencodedx", false),
            ("application/x-www-form", false),
            ("multipart/form-data; boundary=x", false),
            ("", false),
            (";application/x-www-form-urlencoded", false),
        ]
    )
    func mediaType(contentType: String, isForm: Bool) {
        #expect(Request.isFormEncoded(contentType) == isForm)
    }
}
