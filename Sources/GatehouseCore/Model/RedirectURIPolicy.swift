import Foundation

/// The rules a redirect URI must meet wherever a client is registered (SPEC §10: one validation for
/// the CLI, the admin API and dynamic registration).
///
/// RFC 6749 §3.1.2: "The redirection endpoint URI MUST be an absolute URI" and "MUST NOT include a
/// fragment component". RFC 9700 §4.1 and RFC 8252 §7: `https`, `http` only on a loopback host (a
/// native app's local listener), or a private-use scheme (`com.example.app:/cb`) for a public client.
/// Schemes that run code or read local files in a browser are never redirect targets.
public enum RedirectURIPolicy {
    /// Why a redirect URI was refused, in words an operator or a registering developer can act on.
    public struct Violation: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    private static let forbiddenSchemes: Set<String> = ["javascript", "data", "vbscript", "file", "about", "blob"]

    /// - Throws: ``Violation`` when `uri` may not be registered for a client of this kind.
    public static func validate(_ uri: String, isPublic: Bool) throws(Violation) {
        guard let components = URLComponents(string: uri), let rawScheme = components.scheme, !rawScheme.isEmpty,
            components.fragment == nil, !uri.contains(where: \.isWhitespace)
        else {
            throw Violation(description: "must be an absolute URI without a fragment, got \(uri)")
        }
        let scheme = rawScheme.lowercased()
        guard !forbiddenSchemes.contains(scheme) else {
            throw Violation(description: "may not use the \(scheme): scheme, got \(uri)")
        }
        switch scheme {
        case "https":
            guard components.host?.isEmpty == false else { throw Violation(description: "needs a host, got \(uri)") }
        case "http":
            guard isLoopback(components.host) else {
                throw Violation(description: "may use http only on a loopback host (127.0.0.1, [::1], localhost); use https, got \(uri)")
            }
        default:
            // RFC 8252 §7.1: a private-use scheme is a reverse domain name, for a native (public) app.
            guard isPublic else {
                throw Violation(description: "may use a private-use scheme only for a public client, got \(uri)")
            }
            guard scheme.contains(".") else {
                throw Violation(description: "a private-use scheme must be a reverse domain name such as com.example.app, got \(uri)")
            }
        }
    }

    /// Loopback hosts of RFC 8252 §7.3, and `localhost`, which RFC 8252 §8.3 discourages but which
    /// resolves to the loopback interface.
    public static func isLoopback(_ host: String?) -> Bool {
        guard var host = host?.lowercased() else { return false }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" { return true }
        return IPAddressRange("127.0.0.0/8")?.contains(host) == true || IPAddressRange("::1/128")?.contains(host) == true
    }
}
