import Foundation
import GatehouseCore
import HTTPTypes
import Testing

@Suite("Client credential extraction")
struct ClientCredentialsTests {
    private func basic(_ raw: String) -> String {
        "Basic " + base64(Array(raw.utf8))
    }

    private func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    private func extract(_ authorization: String?, _ body: [String: String] = [:]) throws(OAuthError) -> ClientCredentials {
        try ClientCredentials.extract(authorization: authorization, parameters: RequestParameters(body), realm: "r")
    }

    @Test("Basic id and secret are form-urlencoded before base64 (RFC 6749 §2.3.1)")
    func basicIsFormDecoded() throws {
        #expect(try extract(basic("my%20app:p%3Ass+word")) == .basic(clientID: "my app", secret: "p:ss word"))
        #expect(try extract(basic("id:secret")) == .basic(clientID: "id", secret: "secret"))
        #expect(try extract("basic " + base64(Array("id:s".utf8))) == .basic(clientID: "id", secret: "s"))
    }

    @Test("body credentials: post with a secret, none without")
    func bodyCredentials() throws {
        #expect(try extract(nil, ["client_id": "a", "client_secret": "b"]) == .post(clientID: "a", secret: "b"))
        #expect(try extract(nil, ["client_id": "a"]) == .none(clientID: "a"))
        #expect(try extract(nil) == .absent)
        #expect(try extract("Bearer abc", ["client_id": "a"]) == .none(clientID: "a"))
    }

    @Test("a client_id in the body beside Basic is allowed when it names the same client")
    func sameClientID() throws {
        #expect(try extract(basic("id:s"), ["client_id": "id"]) == .basic(clientID: "id", secret: "s"))
    }

    @Test(
        "credentials sent two ways are invalid_request",
        arguments: [["client_secret": "s"], ["client_id": "other"], ["client_id": "id", "client_secret": "s"]]
    )
    func twoWays(body: [String: String]) {
        do {
            _ = try extract(basic("id:s"), body)
            Issue.record("accepted credentials sent two ways")
        } catch {
            #expect(error.code == .invalidRequest)
        }
    }

    @Test(
        "undecodable Basic credentials are invalid_client with a Basic challenge",
        arguments: ["Basic !!!", "Basic aWQ=", "Basic OnNlY3JldA==", "Basic ", "Basic"])
    func malformedBasic(header: String) {
        do {
            _ = try extract(header)
            Issue.record("accepted \(header)")
        } catch {
            #expect(error.code == .invalidClient)
            #expect(error.headerFields[.wwwAuthenticate]?.hasPrefix("Basic realm=") == true)
        }
    }
}
