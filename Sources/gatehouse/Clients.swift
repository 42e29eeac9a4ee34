import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

struct Clients: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage OAuth clients.",
        subcommands: [Create.self, List.self, Show.self, Delete.self, RotateSecret.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a client; prints its secret once.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "A unique, human-readable name.")
        var name: String

        @Option(name: .customLong("redirect-uri"), help: "A redirect URI (repeatable).")
        var redirectURIs: [String] = []

        @Option(
            name: .customLong("grant-type"),
            help: """
                authorization_code, refresh_token, client_credentials, device_code or token_exchange \
                (repeatable; default authorization_code and refresh_token).
                """)
        var grantTypes: [String] = []

        @Option(help: "The scopes the client may ask for, space-separated.")
        var scope: String = ""

        @Flag(name: .customLong("public"), help: "A public client (no secret; PKCE required).")
        var isPublic = false

        @Option(name: .customLong("token-format"), help: "opaque or jwt (default: the server's access_token_format).")
        var tokenFormat: String?

        @Flag(name: .customLong("skip-consent"), help: "Do not ask users for consent.")
        var skipConsent = false

        @Flag(name: .customLong("can-introspect"), help: "May introspect any token.")
        var canIntrospect = false

        @Flag(
            name: .customLong("admin"),
            help:
                "An administration client: confidential, allowed client_credentials, with the reserved scopes gatehouse:admin and gatehouse:register besides --scope."
        )
        var admin = false

        @Option(name: .customLong("post-logout-redirect-uri"), help: "Where RP-initiated logout may return (repeatable).")
        var postLogoutRedirectURIs: [String] = []

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            _ = loggingBootstrap
            let settings = try await Settings.load(options: options)
            var client = try makeClient(configuration: settings.server)
            let secret = client.tokenEndpointAuthMethod == .none ? nil : SecretGenerator().make(.clientSecret)
            client.secretHash = secret.map(SecretHasher.hash)
            try await settings.withStore(logger: settings.makeLogger()) { store in
                do {
                    try await store.createClient(client)
                } catch let error as StoreError {
                    throw CLIError("\(error)")
                }
            }
            settings.audit(.clientCreated, clientID: client.id)
            ClientOutput.print(client, secret: secret, json: json)
        }

        /// Validates the options into a client, before anything touches the database, by the one
        /// validation every way of registering a client shares (SPEC §10).
        func makeClient(configuration: ServerConfiguration) throws -> Client {
            let metadata = ClientMetadata(
                clientName: name,
                redirectURIs: redirectURIs,
                grantTypes: grantTypes.isEmpty ? nil : grantTypes,
                tokenEndpointAuthMethod: isPublic ? TokenEndpointAuthMethod.none.rawValue : nil,
                scope: scope,
                postLogoutRedirectURIs: postLogoutRedirectURIs,
                tokenFormat: tokenFormat,
                skipConsent: skipConsent,
                canIntrospect: canIntrospect
            )
            let policy = ClientRegistrationPolicy(registrar: .commandLine(admin: admin), configuration: configuration)
            do {
                return try policy.client(from: metadata, id: SecretGenerator().makeIdentifier(), createdAt: Date())
            } catch {
                throw CLIError(error.hint)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List clients.")

        @OptionGroup var options: GlobalOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            _ = loggingBootstrap
            let settings = try await Settings.load(options: options)
            let clients = try await settings.withStore(logger: settings.makeLogger()) { try await $0.clients() }
            ClientOutput.print(clients, json: json)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one client.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The client_id.")
        var id: String

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            _ = loggingBootstrap
            let settings = try await Settings.load(options: options)
            let client = try await settings.withStore(logger: settings.makeLogger()) { try await $0.client(id: id) }
            guard let client else { throw CLIError("no client with id \(id)") }
            ClientOutput.print(client, secret: nil, json: json)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a client and every token issued to it.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The client_id.")
        var id: String

        func run() async throws {
            _ = loggingBootstrap
            let settings = try await Settings.load(options: options)
            let deleted = try await settings.withStore(logger: settings.makeLogger()) { try await $0.deleteClient(id: id) }
            guard deleted else { throw CLIError("no client with id \(id)") }
            settings.audit(.clientDeleted, clientID: id)
            print("deleted client \(id)")
        }
    }

    struct RotateSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-secret",
            abstract: "Give a confidential client a new secret; the old one stops working."
        )

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The client_id.")
        var id: String

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            _ = loggingBootstrap
            let settings = try await Settings.load(options: options)
            let secret = SecretGenerator().make(.clientSecret)
            let client = try await settings.withStore(logger: settings.makeLogger()) { store -> Client in
                guard let client = try await store.client(id: id) else { throw CLIError("no client with id \(id)") }
                guard !client.isPublic else { throw CLIError("client \(id) is public and has no secret") }
                guard try await store.updateClientSecret(id: id, secretHash: SecretHasher.hash(secret)) else {
                    throw CLIError("no client with id \(id)")
                }
                return client
            }
            settings.audit(.clientSecretRotated, clientID: id)
            ClientOutput.print(client, secret: secret, json: json)
        }
    }
}

/// How clients are printed, as text for people or JSON for scripts.
enum ClientOutput {
    static func print(_ client: Client, secret: String?, json: Bool) {
        if json {
            Swift.print(encode(fields(client, secret: secret)))
            return
        }
        Swift.print("client_id:      \(client.id)")
        if let secret {
            Swift.print("client_secret:  \(secret)   (shown once; store it now)")
        }
        Swift.print(describe(client))
    }

    static func print(_ clients: [Client], json: Bool) {
        if json {
            Swift.print(encode(clients.map { fields($0, secret: nil) }))
            return
        }
        if clients.isEmpty { Swift.print("no clients") }
        for client in clients {
            Swift.print(
                "\(client.id)  \(client.name)  [\(client.isPublic ? "public" : "confidential")]  \(client.grantTypes.sorted().map(\.rawValue).joined(separator: ","))"
            )
        }
    }

    private static func describe(_ client: Client) -> String {
        """
        name:           \(client.name)
        type:           \(client.isPublic ? "public" : "confidential")
        grant types:    \(client.grantTypes.sorted().map(\.rawValue).joined(separator: " "))
        scope:          \(client.scopes)
        redirect URIs:  \(client.redirectURIs.joined(separator: " "))
        logout URIs:    \(client.postLogoutRedirectURIs.joined(separator: " "))
        token format:   \(client.tokenFormat?.rawValue ?? "server default")
        skip consent:   \(client.skipConsent)
        can introspect: \(client.canIntrospect)
        """
    }

    private static func fields(_ client: Client, secret: String?) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "client_id": .string(client.id),
            "name": .string(client.name),
            "public": .bool(client.isPublic),
            "grant_types": .strings(client.grantTypes.sorted().map(\.rawValue)),
            "scope": .string(client.scopes.description),
            "redirect_uris": .strings(client.redirectURIs),
            "post_logout_redirect_uris": .strings(client.postLogoutRedirectURIs),
            "token_endpoint_auth_method": .string(client.tokenEndpointAuthMethod.rawValue),
            "skip_consent": .bool(client.skipConsent),
            "can_introspect": .bool(client.canIntrospect),
            "created_at": .int(Int(client.createdAt.timeIntervalSince1970)),
        ]
        if let format = client.tokenFormat { fields["token_format"] = .string(format.rawValue) }
        if let secret { fields["client_secret"] = .string(secret) }
        return fields
    }

    enum JSONValue: Encodable {
        case string(String), strings([String]), bool(Bool), int(Int)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .strings(let value): try container.encode(value)
            case .bool(let value): try container.encode(value)
            case .int(let value): try container.encode(value)
            }
        }
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
