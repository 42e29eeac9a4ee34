import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

/// The admin API's decisions without a socket or a database (SPEC §10): what it refuses and with
/// which code, on the in-memory store and the test clock.
@Suite("Admin API in the core")
struct AdminAPICoreTests {
    struct Bed {
        let store = InMemoryStore()
        let clock = TestClock()
        var api: AdminAPI {
            AdminAPI(
                clients: store, policy: ClientRegistrationPolicy(registrar: .adminAPI, knownScopes: nil, registrationScopes: nil),
                users: store, grants: store, revocations: store, now: clock.now
            )
        }

        func client(name: String = "app", isPublic: Bool = false) async throws -> Client {
            let metadata =
                isPublic
                ? ClientMetadata(clientName: name, redirectURIs: ["com.example.app:/cb"], tokenEndpointAuthMethod: "none")
                : ClientMetadata(clientName: name, grantTypes: ["client_credentials"])
            return try await api.createClient(metadata).client
        }
    }

    /// One refused call and the code it must be refused with.
    struct Row: Sendable, CustomTestStringConvertible {
        let situation: String
        let code: OAuthErrorCode
        let call: @Sendable (Bed) async throws -> Void
        var testDescription: String { situation }
    }

    static let rows: [Row] = [
        Row(situation: "a taken username", code: .conflict) { bed in
            _ = try await bed.api.createUser(AdminUserRequest(username: "alice", password: "pw")) { "hash-\($0)" }
            _ = try await bed.api.createUser(AdminUserRequest(username: "alice", password: "other")) { "hash-\($0)" }
        },
        Row(situation: "an empty password", code: .invalidRequest) { bed in
            _ = try await bed.api.createUser(AdminUserRequest(username: "alice", password: "")) { "hash-\($0)" }
        },
        Row(situation: "a username with a newline", code: .invalidRequest) { bed in
            _ = try await bed.api.createUser(AdminUserRequest(username: "ali\nce", password: "pw")) { "hash-\($0)" }
        },
        Row(situation: "an email without @", code: .invalidRequest) { bed in
            _ = try await bed.api.createUser(AdminUserRequest(username: "alice", password: "pw", email: "alice")) { "hash-\($0)" }
        },
        Row(situation: "an email with two @", code: .invalidRequest) { bed in
            _ = try await bed.api.createUser(AdminUserRequest(username: "alice", password: "pw", email: "a@b@c")) { "hash-\($0)" }
        },
        Row(situation: "an email with nothing before @", code: .invalidRequest) { bed in
            _ = try await bed.api.createUser(AdminUserRequest(username: "alice", password: "pw", email: "@example.com")) { "hash-\($0)" }
        },
        Row(situation: "an email with a line break", code: .invalidRequest) { bed in
            _ = try await bed.api.createUser(AdminUserRequest(username: "alice", password: "pw", email: "a@b\n")) { "hash-\($0)" }
        },
        Row(situation: "a name with a control character", code: .invalidRequest) { bed in
            _ = try await bed.api.createUser(AdminUserRequest(username: "alice", password: "pw", name: "Alice\u{7}")) { "hash-\($0)" }
        },
        Row(situation: "deleting an unknown user", code: .notFound) { bed in try await bed.api.deleteUser(username: "nobody") },
        Row(situation: "a taken client name", code: .conflict) { bed in
            _ = try await bed.client(name: "app")
            _ = try await bed.client(name: "app")
        },
        Row(situation: "client metadata against the registration policy", code: .invalidClientMetadata) { bed in
            _ = try await bed.api.createClient(ClientMetadata(clientName: "x", grantTypes: ["password"]))
        },
        Row(situation: "a redirect URI against the registration policy", code: .invalidRedirectURI) { bed in
            _ = try await bed.api.createClient(ClientMetadata(clientName: "x", redirectURIs: ["http://app.example/cb"]))
        },
        Row(situation: "a limit of 0", code: .invalidRequest) { bed in _ = try await bed.api.listClients(limit: "0", cursor: nil) },
        Row(situation: "a limit over the maximum", code: .invalidRequest) { bed in
            _ = try await bed.api.listClients(limit: String(AdminAPI.maximumPageSize + 1), cursor: nil)
        },
        Row(situation: "a cursor not given out", code: .invalidRequest) { bed in _ = try await bed.api.listClients(limit: nil, cursor: "%%%") },
        Row(situation: "reading an unknown client", code: .notFound) { bed in _ = try await bed.api.client(id: "nope") },
        Row(situation: "replacing an unknown client", code: .notFound) { bed in
            _ = try await bed.api.replaceClient(id: "nope", with: ClientMetadata(clientName: "x", grantTypes: ["client_credentials"]))
        },
        Row(situation: "replacing under another client_id", code: .invalidRequest) { bed in
            let client = try await bed.client()
            _ = try await bed.api.replaceClient(
                id: client.id, with: ClientMetadata(clientName: "x", grantTypes: ["client_credentials"], clientID: "another")
            )
        },
        Row(situation: "deleting an unknown client", code: .notFound) { bed in try await bed.api.deleteClient(id: "nope") },
        Row(situation: "a negative grace", code: .invalidRequest) { bed in
            _ = try await bed.api.rotateSecret(clientID: try await bed.client().id, graceSeconds: -1)
        },
        Row(situation: "a grace over a year", code: .invalidRequest) { bed in
            _ = try await bed.api.rotateSecret(clientID: try await bed.client().id, graceSeconds: AdminAPI.maximumGraceSeconds + 1)
        },
        Row(situation: "a new secret for a public client", code: .invalidRequest) { bed in
            _ = try await bed.api.rotateSecret(clientID: try await bed.client(isPublic: true).id, graceSeconds: 0)
        },
        Row(situation: "a new secret for an unknown client", code: .notFound) { bed in
            _ = try await bed.api.rotateSecret(clientID: "nope", graceSeconds: 0)
        },
        Row(situation: "withdrawing an unknown grant", code: .notFound) { bed in try await bed.api.withdrawGrant(id: "nope") },
        Row(situation: "revoking the tokens of an unknown client", code: .notFound) { bed in
            _ = try await bed.api.revokeTokens(of: .client(id: "nope"))
        },
    ]

    @Test("refused calls", arguments: rows)
    func refused(row: Row) async throws {
        let bed = Bed()
        do {
            try await row.call(bed)
            Issue.record("not refused")
        } catch let error as OAuthError {
            #expect(error.code == row.code, "\(error.hint)")
        }
    }

    @Test("a user keeps the email and name it was created with; a refused one is not stored")
    func userProfile() async throws {
        let bed = Bed()
        let request = AdminUserRequest(username: "grace", password: "pw", email: "grace@example.com", name: "Grace Hopper")
        let user = try await bed.api.createUser(request) { "hash-\($0)" }
        #expect(user.email == "grace@example.com" && user.name == "Grace Hopper")
        #expect(try await bed.api.listUsers() == [user])
        let bare = try await bed.api.createUser(AdminUserRequest(username: "alan", password: "pw")) { "hash-\($0)" }
        #expect(bare.email == nil && bare.name == nil)
        await #expect(throws: OAuthError.self) {
            _ = try await bed.api.createUser(AdminUserRequest(username: "ada", password: "pw", email: "ada")) { "hash-\($0)" }
        }
        #expect(try await bed.store.user(username: "ada") == nil)
    }

    /// One body and whether it decodes.
    struct BodyRow: Sendable, CustomTestStringConvertible {
        let body: String
        let emptyObject: Bool
        let grace: Int?
        var testDescription: String { body.isEmpty ? "(empty)" : body }
    }

    @Test(
        "bodies: malformed JSON, wrong types and missing members are invalid_request; unknown members are ignored",
        arguments: [
            BodyRow(body: #"{"grace_seconds": 60}"#, emptyObject: true, grace: 60),
            BodyRow(body: #"{"grace_seconds": 60, "extra": [1, 2]}"#, emptyObject: true, grace: 60),
            BodyRow(body: "", emptyObject: true, grace: 0),
            BodyRow(body: " \n", emptyObject: true, grace: 0),
            BodyRow(body: "{}", emptyObject: false, grace: 0),
            BodyRow(body: "", emptyObject: false, grace: nil),
            BodyRow(body: #"{"grace_seconds": "60"}"#, emptyObject: true, grace: nil),
            BodyRow(body: #"{"grace_seconds": 1.5}"#, emptyObject: true, grace: nil),
            BodyRow(body: #"{"grace_seconds": null}"#, emptyObject: true, grace: 0),
            BodyRow(body: #"[60]"#, emptyObject: true, grace: nil),
            BodyRow(body: #"{"grace_seconds": 60"#, emptyObject: true, grace: nil),
            BodyRow(body: "grace_seconds=60", emptyObject: true, grace: nil),
        ]
    )
    func bodies(row: BodyRow) throws {
        do {
            let decoded = try AdminRequestBody.decode(AdminSecretRotationRequest.self, from: Array(row.body.utf8), emptyObject: row.emptyObject)
            #expect(decoded.graceSeconds == row.grace)
        } catch {
            #expect(row.grace == nil)
            #expect(error.code == .invalidRequest)
        }
    }

    @Test("a user body: email and name are optional strings; any other type is invalid_request")
    func userBody() throws {
        let full = try AdminRequestBody.decode(
            AdminUserRequest.self, from: Array(#"{"username": "g", "password": "pw", "email": "g@example.com", "name": "G H"}"#.utf8)
        )
        #expect(full.email == "g@example.com" && full.name == "G H")
        let bare = try AdminRequestBody.decode(AdminUserRequest.self, from: Array(#"{"username": "g", "password": "pw", "email": null}"#.utf8))
        #expect(bare.email == nil && bare.name == nil)
        for member in [#""email": 7"#, #""email": ["g@example.com"]"#, #""name": true"#, #""name": {"given": "G"}"#] {
            let body = #"{"username": "g", "password": "pw", \#(member)}"#
            let error = #expect(throws: OAuthError.self, "\(body)") {
                try AdminRequestBody.decode(AdminUserRequest.self, from: Array(body.utf8))
            }
            #expect(error?.code == .invalidRequest, "\(body)")
        }
    }

    @Test("a revocation names exactly one of client_id and subject")
    func revocationTarget() throws {
        #expect(try AdminRequestBody.decode(AdminRevocationTarget.self, from: Array(#"{"client_id": "c"}"#.utf8)) == .client(id: "c"))
        #expect(try AdminRequestBody.decode(AdminRevocationTarget.self, from: Array(#"{"subject": "s"}"#.utf8)) == .subject("s"))
        for body in ["{}", #"{"client_id": "c", "subject": "s"}"#, #"{"client_id": ""}"#, #"{"subject": 7}"#] {
            #expect(throws: OAuthError.self, "\(body)") { try AdminRequestBody.decode(AdminRevocationTarget.self, from: Array(body.utf8)) }
        }
    }

    @Test("pages of clients follow each other without gaps or repeats, oldest first")
    func pages() async throws {
        let bed = Bed()
        var made: [String] = []
        for index in 0..<5 {
            made.append(try await bed.client(name: "app-\(index)").id)
            bed.clock.advance(by: 1)
        }
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try await bed.api.listClients(limit: "2", cursor: cursor)
            #expect(page.clients.count <= 2)
            seen += page.clients.map(\.id)
            cursor = page.nextCursor?.encoded
        } while cursor != nil
        #expect(seen == made)
    }

    @Test("a rotation keeps the old secret until the grace ends, and reports when")
    func rotation() async throws {
        let bed = Bed()
        let client = try await bed.client()
        let rotated = try await bed.api.rotateSecret(clientID: client.id, graceSeconds: 90)
        #expect(rotated.previousSecretExpiresAt == bed.clock.now().addingTimeInterval(90))
        let stored = try #require(try await bed.store.client(id: client.id))
        #expect(stored.secretHash == SecretHasher.hash(rotated.secret))
        #expect(stored.previousSecretHash == client.secretHash)
        #expect(stored.previousSecretExpiresAt == bed.clock.now().addingTimeInterval(90))
    }
}
