public import GatehouseCore

/// Counts the security events in the metric families of SPEC §9.
///
/// Label values that come from events are kept to known names, so a mistake elsewhere can never
/// turn a label into a carrier of client ids or addresses.
public struct MetricsEventSink: SecurityEventSink {
    let metrics: GatehouseMetrics

    public init(metrics: GatehouseMetrics) {
        self.metrics = metrics
    }

    static let grantTypes: Set<String> = [
        "authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code",
        "urn:ietf:params:oauth:grant-type:token-exchange",
    ]
    static let formats: Set<String> = ["opaque", "jwt"]
    static let revocationReasons: Set<String> = ["revocation", "reuse", "code_replay", "admin"]
    static let limits: Set<String> = ["client_authentication", "sign_in", "sign_in_address", RateLimitName.userCode]

    public func record(_ event: SecurityEvent) {
        switch event.kind {
        case .tokenIssued:
            metrics.countTokenIssued(
                grantType: Self.known(event.grantType, in: Self.grantTypes), format: Self.known(event.tokenFormat, in: Self.formats)
            )
        case .tokenRevoked:
            metrics.countTokensRevoked(reason: Self.known(event.reason, in: Self.revocationReasons), count: event.count ?? 1)
        case .clientAuthenticationFailed:
            metrics.countClientAuthenticationFailure()
        case .signInFailed:
            metrics.countSignInFailure()
        case .rateLimited:
            metrics.countRateLimited(limit: Self.known(event.reason, in: Self.limits))
        default:
            break
        }
    }

    private static func known(_ value: String?, in names: Set<String>) -> String {
        guard let value, names.contains(value) else { return "other" }
        return value
    }
}
