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
            help: "authorization_code, refresh_token or client_credentials (repeatable; default authorization_code and refresh_token).")
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

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            _ = loggingBootstrap
            let client = try makeClient()
            let settings = try await Settings.load(options: options)
            try Self.checkKnown(client.scopes, known: settings.server.scopes)
            let secret = isPublic ? nil : SecretGenerator().make(.clientSecret)
            var registered = client
            registered.secretHash = secret.map(SecretHasher.hash)
            try await settings.withStore(logger: settings.makeLogger()) { store in
                do {
                    try await store.createClient(registered)
                } catch let error as StoreError {
                    throw CLIError("\(error)")
                }
            }
            settings.audit(.clientCreated, clientID: registered.id)
            ClientOutput.print(registered, secret: secret, json: json)
        }

        /// Validates the options into a client, before anything touches the database.
        func makeClient() throws -> Client {
            let trimmedName = name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmedName.isEmpty else { throw CLIError("--name must not be empty") }
            var grants: Set<GrantType> = []
            for value in grantTypes {
                guard let grant = GrantType(rawValue: value) else {
                    throw CLIError("--grant-type must be one of \(GrantType.allCases.map(\.rawValue).joined(separator: ", ")), got \(value)")
                }
                grants.insert(grant)
            }
            if grants.isEmpty { grants = GrantType.defaults }
            // SPEC §2: "a public client is never allowed client_credentials" (RFC 6749 §4.4).
            if isPublic && grants.contains(.clientCredentials) {
                throw CLIError("a public client cannot use client_credentials")
            }
            for uri in redirectURIs {
                try Self.validateRedirectURI(uri, isPublic: isPublic)
            }
            let scopes: ScopeSet
            do { scopes = try ScopeSet(parsing: scope) } catch { throw CLIError("--scope has a character RFC 6749 §3.3 forbids") }
            let format = try tokenFormat.map { value in
                guard let format = AccessTokenFormat(rawValue: value) else { throw CLIError("--token-format must be opaque or jwt, got \(value)") }
                return format
            }
            return Client(
                id: SecretGenerator().makeIdentifier(),
                name: trimmedName,
                secretHash: nil,
                redirectURIs: redirectURIs,
                grantTypes: grants,
                scopes: scopes,
                tokenFormat: format,
                skipConsent: skipConsent,
                canIntrospect: canIntrospect,
                createdAt: Date()
            )
        }

        /// SPEC §3 `scopes`: when the server lists the scopes it knows, a client may be registered
        /// only with those.
        static func checkKnown(_ scopes: ScopeSet, known: ScopeSet?) throws {
            guard let known else { return }
            let unknown = scopes.subtracting(known)
            guard unknown.isEmpty else {
                throw CLIError("--scope names scopes the server does not know (configuration key scopes): \(unknown.joined(separator: " "))")
            }
        }

        /// SPEC §10: the one redirect URI validation of every way a client is registered.
        static func validateRedirectURI(_ uri: String, isPublic: Bool) throws {
            do {
                try RedirectURIPolicy.validate(uri, isPublic: isPublic)
            } catch {
                throw CLIError("--redirect-uri \(error)")
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
