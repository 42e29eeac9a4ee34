import Foundation

/// Decides the resources a token is for, from the `resource` parameters sent (RFC 8707).
///
/// The resources become the access token's audience (`aud`); a token without resources has the
/// server's `access_token_audience`. A grant remembers the resources of its authorization request,
/// and the tokens issued from it may be narrowed to some of them, never widened.
public enum ResourcePolicy {
    /// The resources of a new authorization request or `client_credentials` token.
    ///
    /// RFC 8707 §2: "The value of the resource parameter MUST be an absolute URI, as specified by
    /// Section 4.3 of [RFC3986], which MAY include a query component, but MUST NOT include a fragment
    /// component." SPEC §10: it must also be one of the resources the server issues tokens for.
    /// - Parameters:
    ///   - requested: every `resource` parameter, in the order sent.
    ///   - known: the resources the server issues tokens for (``ServerConfiguration/knownResources``).
    /// - Throws: ``OAuthError`` `invalid_target`.
    public static func resolve(requested: [String], known: Set<String>) throws(OAuthError) -> [String] {
        for resource in requested {
            guard isResourceIndicator(resource) else {
                throw .invalidTarget("resource is not an absolute URI without fragment")
            }
            guard known.contains(resource) else {
                throw .invalidTarget("resource \(resource) is not one of the server's resources")
            }
        }
        return requested
    }

    /// The resources of a token issued from a grant, by code exchange or refresh: the requested ones,
    /// each among the grant's, or, when none is requested, the grant's own.
    ///
    /// RFC 8707 §2.2 lets a client ask the token endpoint for a token usable at fewer resources than
    /// it was authorized for; asking for one it was not authorized for would widen the grant. A grant
    /// whose authorization request named no resource is for the default audience only, so any
    /// resource widens it.
    /// - Throws: ``OAuthError`` `invalid_target`.
    public static func narrow(requested: [String], granted: [String], known: Set<String>) throws(OAuthError) -> [String] {
        guard !requested.isEmpty else { return granted }
        let resources = try resolve(requested: requested, known: known)
        let wider = resources.filter { !granted.contains($0) }
        guard wider.isEmpty else {
            throw .invalidTarget("resource not in the grant: \(wider.joined(separator: " "))")
        }
        return resources
    }

    /// An absolute URI (a scheme, then a hierarchical part) without fragment and without white space.
    public static func isResourceIndicator(_ value: String) -> Bool {
        guard !value.contains("#"), !value.contains(where: \.isWhitespace), let parts = URLComponents(string: value),
            let scheme = parts.scheme, !scheme.isEmpty, parts.fragment == nil
        else { return false }
        return !parts.path.isEmpty || parts.host != nil
    }
}
