import Configuration
import Foundation
import GatehouseCore
import GatehouseStore
import Logging
import SystemPackage

/// Everything a command needs to know, resolved once at start: flags over `GATEHOUSE_*`
/// environment variables over the config file over defaults (SPEC §3).
struct Settings {
    var database: DatabaseURL
    var host: String
    var port: Int
    var logLevel: Logger.Level
    var logFormat: LogFormat
    /// Where security events go: `off`, `stderr`, `stdout` or a file path (SPEC §9).
    var auditLog: String
    var server: ServerConfiguration
    /// CIDRs of reverse proxies whose `X-Forwarded-For` / `Forwarded` is believed (SPEC §9).
    var trustedProxies: [String]
    var databaseBusyTimeout: Int
    var idleTimeout: Int
    var shutdownTimeout: Int
    /// `GATEHOUSE_KEY_ENCRYPTION_KEY`: read from the environment only, never from flags or files,
    /// so it does not end up in shell history or in a config file beside the database.
    var keyEncryption: KeyEncryption

    enum LogFormat: String, CaseIterable {
        case text
        case json
    }

    /// Every key the config file and `GATEHOUSE_*` variables may set (SPEC §3).
    static let keys = [
        "database", "host", "port", "log_level", "log_format", "audit_log", "issuer", "access_token_ttl",
        "refresh_token_ttl", "authorization_code_ttl", "access_token_format", "error_uri_base", "error_profile",
        "maintenance", "locales", "access_token_audience", "client_cache_ttl", "introspection_cache_ttl",
        "key_refresh_interval", "max_body_bytes", "trusted_proxies", "refresh_token_reuse_interval",
        "client_auth_failure_limit", "sign_in_failure_limit", "sign_in_address_failure_limit", "rate_limit_window",
        "database_busy_timeout", "idle_timeout", "shutdown_timeout", "pkce_required_for", "scopes", "registration",
        "registration_scopes", "resources", "login_url", "consent_url", "device_code_ttl", "device_poll_interval",
        "id_token_ttl",
    ]

    /// Environment variables of Gatehouse that are not configuration keys.
    static let otherEnvironmentVariables: Set<String> = ["GATEHOUSE_CONFIG", "GATEHOUSE_KEY_ENCRYPTION_KEY"]

    /// Resolves and validates the settings.
    /// - Parameter flags: values given on the command line, by configuration key.
    /// - Throws: ``CLIError`` naming the key and what is wrong with its value.
    static func load(options: GlobalOptions, flags: [String: String] = [:]) async throws -> Settings {
        var flags = flags
        flags["database"] = options.database
        let environment = ProcessInfo.processInfo.environment
        var providers: [any ConfigProvider] = [
            InMemoryProvider(
                name: "flags",
                values: Dictionary(uniqueKeysWithValues: flags.map { (AbsoluteConfigKey([$0.key]), ConfigValue(.string($0.value), isSecret: false)) })
            ),
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "gatehouse"),
        ]
        if let path = options.config ?? environment["GATEHOUSE_CONFIG"] {
            providers.append(try await configFile(at: path))
            try UnknownConfigurationKeys.refuse(inFile: path, known: keys)
        }
        for warning in UnknownConfigurationKeys.environmentWarnings(environment, known: keys, others: otherEnvironmentVariables) {
            FileHandle.standardError.write(Data("gatehouse: warning: \(warning)\n".utf8))
        }
        let reader = ConfigReader(providers: providers)
        let keyEncryption = KeyEncryption(secret: environment["GATEHOUSE_KEY_ENCRYPTION_KEY"].flatMap { $0.isEmpty ? nil : $0 })
        var values: [String: String] = [:]
        for key in keys {
            values[key] = Self.value(reader, key)
        }
        var settings = try Settings(values: values)
        settings.keyEncryption = keyEncryption
        return settings
    }

    private static func configFile(at path: String) async throws -> any ConfigProvider {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError("config file \(path) does not exist")
        }
        do {
            if path.hasSuffix(".json") {
                return try await FileProvider<JSONSnapshot>(filePath: FilePath(path))
            }
            guard path.hasSuffix(".yaml") || path.hasSuffix(".yml") else {
                throw CLIError("config file \(path) must end in .json, .yaml or .yml")
            }
            return try await FileProvider<YAMLSnapshot>(filePath: FilePath(path))
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("config file \(path) is not valid", error)
        }
    }

    /// A value as text whatever its type in the file, so that one parser validates every source.
    private static func value(_ reader: ConfigReader, _ key: String) -> String? {
        let configKey = ConfigKey([key])
        if let string = reader.string(forKey: configKey) { return string }
        if let int = reader.int(forKey: configKey) { return String(int) }
        if let bool = reader.bool(forKey: configKey) { return String(bool) }
        if let strings = reader.stringArray(forKey: configKey) { return strings.joined(separator: " ") }
        return nil
    }

    init(values: [String: String]) throws {
        keyEncryption = KeyEncryption(secret: nil)
        database =
            try values["database"].map { url in
                do { return try DatabaseURL(parsing: url) } catch { throw CLIError("database: \(error)") }
            } ?? .default
        host = values["host"] ?? "127.0.0.1"
        port = try Self.integer(values, "port", default: 8080, in: 0...65535)
        guard let level = Logger.Level(rawValue: values["log_level"] ?? "info") else {
            throw CLIError("log_level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        logLevel = level
        logFormat = try Self.choice(values, "log_format", default: LogFormat.text)
        auditLog = values["audit_log"] ?? "stderr"
        guard !auditLog.isEmpty else { throw CLIError("audit_log must be off, stderr, stdout or a file path") }
        trustedProxies = try Self.list(values, "trusted_proxies").map { cidr in
            guard IPAddressRange(cidr) != nil else {
                throw CLIError("trusted_proxies must list CIDRs such as 10.0.0.0/8 or ::1/128, got \(cidr)")
            }
            return cidr
        }
        databaseBusyTimeout = try Self.integer(values, "database_busy_timeout", default: 5, in: 0...600)
        idleTimeout = try Self.integer(values, "idle_timeout", default: 60, in: 1...86400)
        shutdownTimeout = try Self.integer(values, "shutdown_timeout", default: 30, in: 0...3600)
        let issuer = values["issuer"] ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        guard let issuerURL = URLComponents(string: issuer), ["http", "https"].contains(issuerURL.scheme ?? ""),
            issuerURL.host?.isEmpty == false, issuerURL.query == nil, issuerURL.fragment == nil
        else {
            // RFC 8414 §2: the issuer is an https URL with no query or fragment (http allowed here
            // for local use).
            throw CLIError("issuer must be an http(s) URL without query or fragment, got \(issuer)")
        }
        let locales = (values["locales"] ?? ErrorCatalog.languages.joined(separator: " "))
            .split(whereSeparator: { $0 == " " || $0 == "," }).map { $0.lowercased() }
        let unknownLocales = locales.filter { !ErrorCatalog.languages.contains($0) }
        guard !locales.isEmpty, unknownLocales.isEmpty else {
            throw CLIError("locales must be among \(ErrorCatalog.languages.joined(separator: " ")), got \(values["locales"] ?? "")")
        }
        server = ServerConfiguration(
            issuer: issuer,
            accessTokenTTL: try Self.integer(values, "access_token_ttl", default: 3600, in: 1...31_536_000),
            refreshTokenTTL: try Self.integer(values, "refresh_token_ttl", default: 2_592_000, in: 1...315_360_000),
            authorizationCodeTTL: try Self.integer(values, "authorization_code_ttl", default: 60, in: 1...600),
            accessTokenFormat: try Self.choice(values, "access_token_format", default: .opaque),
            errorURIBase: values["error_uri_base"],
            errorProfile: try Self.choice(values, "error_profile", default: .rfc6749),
            maintenance: try Self.boolean(values, "maintenance"),
            locales: locales,
            accessTokenAudience: values["access_token_audience"],
            clientCacheTTL: try Self.integer(values, "client_cache_ttl", default: 5, in: 0...3600),
            introspectionCacheTTL: try Self.integer(values, "introspection_cache_ttl", default: 5, in: 0...3600),
            keyRefreshInterval: try Self.integer(values, "key_refresh_interval", default: 60, in: 1...86400),
            maxBodyBytes: try Self.integer(values, "max_body_bytes", default: 65536, in: 1024...16_777_216),
            refreshTokenReuseInterval: try Self.integer(values, "refresh_token_reuse_interval", default: 0, in: 0...3600),
            clientAuthFailureLimit: try Self.integer(values, "client_auth_failure_limit", default: 10, in: 1...1_000_000),
            signInFailureLimit: try Self.integer(values, "sign_in_failure_limit", default: 5, in: 1...1_000_000),
            signInAddressFailureLimit: try Self.integer(values, "sign_in_address_failure_limit", default: 100, in: 1...1_000_000),
            rateLimitWindow: try Self.integer(values, "rate_limit_window", default: 900, in: 1...86400),
            pkceRequiredFor: try Self.choice(values, "pkce_required_for", default: .public),
            scopes: try Self.scopes(values, "scopes"),
            registration: try Self.choice(values, "registration", default: .off),
            registrationScopes: try Self.scopes(values, "registration_scopes"),
            resources: try Self.list(values, "resources").map { resource in
                // The rule requests are held to, so that every listed resource can be asked for
                // (a `urn:` resource has no host).
                guard ResourcePolicy.isResourceIndicator(resource) else {
                    throw CLIError("resources must be absolute URIs without a fragment, got \(resource)")
                }
                return resource
            },
            loginURL: try Self.url(values, "login_url"),
            consentURL: try Self.url(values, "consent_url"),
            deviceCodeTTL: try Self.integer(values, "device_code_ttl", default: 600, in: 60...86400),
            devicePollInterval: try Self.integer(values, "device_poll_interval", default: 5, in: 1...300),
            idTokenTTL: try Self.integer(values, "id_token_ttl", default: 3600, in: 60...86400)
        )
    }

    /// A space- or comma-separated list.
    private static func list(_ values: [String: String], _ key: String) throws -> [String] {
        (values[key] ?? "").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
    }

    private static func scopes(_ values: [String: String], _ key: String) throws -> ScopeSet? {
        guard let text = values[key] else { return nil }
        do {
            return try ScopeSet(parsing: text)
        } catch {
            throw CLIError("\(key) must be scope tokens separated by spaces (RFC 6749 §3.3), got \(text)")
        }
    }

    private static func url(_ values: [String: String], _ key: String) throws -> String? {
        guard let text = values[key] else { return nil }
        guard let url = URLComponents(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false else {
            throw CLIError("\(key) must be an http(s) URL, got \(text)")
        }
        return text
    }

    private static func integer(_ values: [String: String], _ key: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = values[key] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw CLIError("\(key) must be an integer from \(range.lowerBound) to \(range.upperBound), got \(text)")
        }
        return number
    }

    private static func boolean(_ values: [String: String], _ key: String) throws -> Bool {
        switch values[key]?.lowercased() {
        case nil, "false", "0", "no", "off": return false
        case "true", "1", "yes", "on": return true
        case let other?: throw CLIError("\(key) must be true or false, got \(other)")
        }
    }

    private static func choice<Value: RawRepresentable & CaseIterable>(
        _ values: [String: String], _ key: String, default value: Value
    ) throws -> Value where Value.RawValue == String {
        guard let text = values[key] else { return value }
        guard let chosen = Value(rawValue: text) else {
            throw CLIError("\(key) must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", ")), got \(text)")
        }
        return chosen
    }
}
