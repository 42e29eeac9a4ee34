import GatehouseCore
import Testing

@Suite("Redirect URIs a client may register")
struct RedirectURIPolicyTests {
    @Test(
        "accepted",
        arguments: [
            ("https://app.example/cb", false),
            ("https://app.example/cb?tenant=1", false),
            ("http://127.0.0.1:9000/cb", false),
            ("http://127.0.0.1/cb", true),
            ("http://[::1]:8080/cb", true),
            ("http://localhost:3000/callback", false),
            ("com.example.app:/oauth2redirect", true),
        ]
    )
    func accepted(uri: String, isPublic: Bool) throws {
        try RedirectURIPolicy.validate(uri, isPublic: isPublic)
    }

    @Test(
        "refused",
        arguments: [
            ("/cb", false),
            ("https://app.example/cb#frag", false),
            ("https:///cb", false),
            ("javascript:alert(1)", true),
            ("JavaScript://app.example/%0Aalert(1)", false),
            ("data:text/html,hi", true),
            ("file:///etc/passwd", true),
            ("http://app.example/cb", false),
            ("http://10.0.0.1/cb", true),
            ("com.example.app:/cb", false),
            ("myapp:/cb", true),
            ("https://app.example/c b", false),
        ]
    )
    func refused(uri: String, isPublic: Bool) {
        #expect(throws: RedirectURIPolicy.Violation.self) { try RedirectURIPolicy.validate(uri, isPublic: isPublic) }
    }
}
