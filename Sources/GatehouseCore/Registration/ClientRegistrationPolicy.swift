public import Foundation

/// The one validation of client metadata, wherever a client is made or replaced: `gatehouse
/// clients create`, the admin API and dynamic registration (SPEC §10 "one validation, wherever a
/// client is made").
///
/// Rules, in the order they are checked (SPEC §2, §10; RFC 7591 §2, §3.2.2):
/// 1. `token_endpoint_auth_method` is `client_secret_basic` (default), `client_secret_post` or
///    `none` (a public client).
/// 2. `grant_types` (default `authorization_code refresh_token`) are grants the server implements;
///    `response_types` (default: `code` when `authorization_code` is a grant) are `code` only; and
///    they agree: `code` exactly when `authorization_code` (RFC 7591 §2.1).
/// 3. A public client never gets `client_credentials` (RFC 6749 §4.4); nor does anyone who
///    registers in `open` mode.
/// 4. Redirect URIs (and post-logout ones) meet ``RedirectURIPolicy``; `authorization_code` needs
///    at least one, except from the command line, whose clients may get theirs later (SPEC §2).
/// 5. Scopes are well formed; reserved ones (``ReservedScope``) only for `clients create --admin`;
///    with the server's `scopes` set, only those; by registration, only `registration_scopes`.
/// 6. `client_uri`, `logo_uri` are http(s) URLs; names and contacts are printable text; `token_format`
///    is `opaque` or `jwt`; `skip_consent` and `can_introspect` are refused in `open` mode, where
///    anyone could otherwise register a client that skips consent or reads every token.
///
/// Redirect URI failures are `invalid_redirect_uri`, every other `invalid_client_metadata`; the
/// hint names the field and is fit for a command line, never holding a secret.
public struct ClientRegistrationPolicy: Sendable {
    /// Who is registering, which decides the rules that differ.
    public enum Registrar: Sendable, Equatable {
        /// `gatehouse clients create`; `admin` for `--admin`, the only way to the reserved scopes.
        case commandLine(admin: Bool)
        /// The admin API, with a `gatehouse:admin` token.
        case adminAPI
        /// Dynamic registration (RFC 7591) in `token` or `open` mode.
        case registration(ServerConfiguration.RegistrationMode)
    }

    public let registrar: Registrar
    /// The server's `scopes`: when set, a client may be registered only with these.
    public let knownScopes: ScopeSet?
    /// The server's `registration_scopes` (defaulting to `scopes`); empty or `nil`: any.
    public let registrationScopes: ScopeSet?

    public init(registrar: Registrar, knownScopes: ScopeSet?, registrationScopes: ScopeSet?) {
        self.registrar = registrar
        self.knownScopes = knownScopes
        self.registrationScopes = registrationScopes
    }

    public init(registrar: Registrar, configuration: ServerConfiguration) {
        self.init(
            registrar: registrar, knownScopes: configuration.scopes,
            registrationScopes: configuration.registrationScopes ?? configuration.scopes
        )
    }

    /// The longest client name, in characters.
    public static let maximumNameLength = 200

    /// Validates `metadata` into a client.
    ///
    /// The client has no secret yet: the caller makes one when ``Client/tokenEndpointAuthMethod``
    /// is not `none`. When `existing` is given, the metadata replaces that client's (RFC 7592
    /// §2.2): the id, secrets and creation time stay, and the client may not change between public
    /// and confidential.
    /// - Parameters:
    ///   - id: the new client's id; ignored with `existing`.
    ///   - createdAt: the new client's creation time; ignored with `existing`.
    /// - Throws: ``OAuthError`` `invalid_redirect_uri` or `invalid_client_metadata`.
    public func client(from metadata: ClientMetadata, id: String, createdAt: Date, replacing existing: Client? = nil) throws(OAuthError)
        -> Client
    {
        let method = try authMethod(metadata)
        let isPublic = method == .none
        if let existing, existing.isPublic != isPublic {
            throw Self.invalid("token_endpoint_auth_method may not change between none and a secret method")
        }
        let grantTypes = try grants(metadata, isPublic: isPublic)
        let redirectURIs = try redirectURIs(metadata.redirectURIs ?? [], field: "redirect_uris", isPublic: isPublic)
        if grantTypes.contains(.authorizationCode) && redirectURIs.isEmpty && !isCommandLine {
            throw Self.invalidRedirect("redirect_uris is required for the authorization_code grant")
        }
        let postLogout = try self.redirectURIs(metadata.postLogoutRedirectURIs ?? [], field: "post_logout_redirect_uris", isPublic: isPublic)
        let scopes = try scopes(metadata)
        let clientID = existing?.id ?? id
        var client = Client(
            id: clientID,
            name: try name(metadata.clientName, clientID: clientID),
            secretHash: existing?.secretHash,
            redirectURIs: redirectURIs,
            grantTypes: grantTypes,
            scopes: scopes,
            tokenFormat: try tokenFormat(metadata.tokenFormat),
            skipConsent: try privilege(metadata.skipConsent, field: "skip_consent"),
            canIntrospect: try privilege(metadata.canIntrospect, field: "can_introspect"),
            createdAt: existing?.createdAt ?? createdAt,
            tokenEndpointAuthMethod: method,
            clientURI: try webURL(metadata.clientURI, field: "client_uri"),
            logoURI: try webURL(metadata.logoURI, field: "logo_uri"),
            contacts: try contacts(metadata.contacts ?? []),
            postLogoutRedirectURIs: postLogout
        )
        if let existing {
            client.previousSecretHash = existing.previousSecretHash
            client.previousSecretExpiresAt = existing.previousSecretExpiresAt
            client.registrationAccessTokenHash = existing.registrationAccessTokenHash
        }
        return client
    }

    private var isCommandLine: Bool {
        if case .commandLine = registrar { return true }
        return false
    }

    private var isAdminCommandLine: Bool { registrar == .commandLine(admin: true) }

    private var isOpenRegistration: Bool { registrar == .registration(.open) }

    private var isRegistration: Bool {
        if case .registration = registrar { return true }
        return false
    }

    // MARK: - Rules

    private func authMethod(_ metadata: ClientMetadata) throws(OAuthError) -> TokenEndpointAuthMethod {
        guard let value = metadata.tokenEndpointAuthMethod else { return .clientSecretBasic }
        guard let method = TokenEndpointAuthMethod(rawValue: value) else {
            throw Self.invalid("token_endpoint_auth_method must be client_secret_basic, client_secret_post or none, got \(Self.shown(value))")
        }
        // SPEC §10: an admin client authenticates with client_credentials, so it needs a secret.
        if isAdminCommandLine && method == .none {
            throw Self.invalid("an --admin client is confidential; it cannot be --public")
        }
        return method
    }

    private func grants(_ metadata: ClientMetadata, isPublic: Bool) throws(OAuthError) -> Set<GrantType> {
        var grants: Set<GrantType> = []
        for value in metadata.grantTypes ?? [] {
            guard let grant = GrantType(name: value) else {
                throw Self.invalid(
                    "grant_types must be among \(GrantType.allCases.map(\.rawValue).joined(separator: ", ")), got \(Self.shown(value))"
                )
            }
            grants.insert(grant)
        }
        if metadata.grantTypes == nil {
            // An admin client is a service account: without grant types named, client_credentials only.
            grants = isAdminCommandLine ? [] : GrantType.defaults
        } else if grants.isEmpty {
            throw Self.invalid("grant_types must not be empty")
        }
        if isAdminCommandLine { grants.insert(.clientCredentials) }

        let responseTypes = metadata.responseTypes ?? (grants.contains(.authorizationCode) ? ["code"] : [])
        for value in responseTypes where value != "code" {
            throw Self.invalid("response_types may hold only code, got \(Self.shown(value))")
        }
        // RFC 7591 §2.1: the code response type goes with the authorization_code grant, and back.
        guard responseTypes.contains("code") == grants.contains(.authorizationCode) else {
            throw Self.invalid("grant_types and response_types disagree: authorization_code goes with the response type code")
        }
        // SPEC §2, RFC 6749 §4.4: "MUST only be used by confidential clients".
        if isPublic && grants.contains(.clientCredentials) {
            throw Self.invalid("a public client (token_endpoint_auth_method none) cannot use client_credentials")
        }
        // SPEC §10: anyone may register in open mode, so nobody gets a token without a user there.
        if isOpenRegistration && grants.contains(.clientCredentials) {
            throw Self.invalid("client_credentials cannot be registered in open registration")
        }
        // SPEC §11: a token-exchange client turns any token it is handed into one for another
        // audience; that is for clients an operator vouches for, not for anyone.
        if isOpenRegistration && grants.contains(.tokenExchange) {
            throw Self.invalid("token exchange cannot be registered in open registration")
        }
        return grants
    }

    private func redirectURIs(_ uris: [String], field: String, isPublic: Bool) throws(OAuthError) -> [String] {
        for uri in uris {
            do {
                try RedirectURIPolicy.validate(uri, isPublic: isPublic)
            } catch {
                throw Self.invalidRedirect("\(field): \(error)")
            }
        }
        var seen: Set<String> = []
        return uris.filter { seen.insert($0).inserted }
    }

    private func scopes(_ metadata: ClientMetadata) throws(OAuthError) -> ScopeSet {
        var scopes: ScopeSet
        do {
            scopes = try ScopeSet(parsing: metadata.scope ?? "")
        } catch {
            throw Self.invalid("scope has a character RFC 6749 §3.3 forbids")
        }
        // RFC 7591 §2: the server may register a default scope; by registration, what it may ask for.
        if metadata.scope == nil, isRegistration, let registrationScopes, !registrationScopes.isEmpty {
            scopes = ScopeSet(registrationScopes.tokens.filter { !ReservedScope.contains($0) })
        }
        let reserved = scopes.tokens.filter(ReservedScope.contains)
        guard reserved.isEmpty else {
            throw Self.invalid("scope \(reserved.joined(separator: " ")) is reserved to clients created with gatehouse clients create --admin")
        }
        if let knownScopes {
            let unknown = scopes.subtracting(knownScopes)
            guard unknown.isEmpty else {
                throw Self.invalid("scope names scopes the server does not know (configuration key scopes): \(unknown.joined(separator: " "))")
            }
        }
        if isRegistration, let registrationScopes, !registrationScopes.isEmpty {
            let refused = scopes.subtracting(registrationScopes)
            guard refused.isEmpty else {
                throw Self.invalid("scope outside registration_scopes: \(refused.joined(separator: " "))")
            }
        }
        if isAdminCommandLine {
            scopes = ScopeSet(scopes.tokens + ReservedScope.all.tokens)
        }
        return scopes
    }

    private func name(_ value: String?, clientID: String) throws(OAuthError) -> String {
        // RFC 7591 §2: client_name is optional; the id is a name no other client has.
        guard let value else { return clientID }
        let name = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw Self.invalid("client_name must not be empty") }
        guard name.count <= Self.maximumNameLength else {
            throw Self.invalid("client_name is longer than \(Self.maximumNameLength) characters")
        }
        guard Self.isPrintable(name) else { throw Self.invalid("client_name has a control character") }
        return name
    }

    private func tokenFormat(_ value: String?) throws(OAuthError) -> AccessTokenFormat? {
        guard let value else { return nil }
        guard let format = AccessTokenFormat(rawValue: value) else {
            throw Self.invalid("token_format must be opaque or jwt, got \(Self.shown(value))")
        }
        return format
    }

    private func privilege(_ value: Bool?, field: String) throws(OAuthError) -> Bool {
        let granted = value ?? false
        if granted && isOpenRegistration {
            throw Self.invalid("\(field) cannot be registered in open registration")
        }
        return granted
    }

    private func webURL(_ value: String?, field: String) throws(OAuthError) -> String? {
        guard let value else { return nil }
        guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(),
            ["https", "http"].contains(scheme), components.host?.isEmpty == false, !value.contains(where: \.isWhitespace)
        else {
            throw Self.invalid("\(field) must be an absolute http or https URL")
        }
        return value
    }

    private func contacts(_ values: [String]) throws(OAuthError) -> [String] {
        for value in values {
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed.count <= Self.maximumNameLength, Self.isPrintable(trimmed) else {
                throw Self.invalid("contacts must be non-empty lines of text")
            }
        }
        return values.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    // MARK: - Errors

    private static func invalid(_ hint: String) -> OAuthError {
        OAuthError(.invalidClientMetadata, hint: hint)
    }

    private static func invalidRedirect(_ hint: String) -> OAuthError {
        OAuthError(.invalidRedirectURI, hint: hint)
    }

    private static func isPrintable(_ text: String) -> Bool {
        !text.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }
    }

    /// A value for a hint: short and printable, since the hint reaches logs and the command line.
    private static func shown(_ value: String) -> String {
        let printable = String(value.unicodeScalars.filter { !$0.properties.generalCategory.isControl }.prefix(60).map(Character.init))
        return printable.isEmpty ? "an empty value" : printable
    }
}

extension Unicode.GeneralCategory {
    fileprivate var isControl: Bool { self == .control || self == .format }
}
