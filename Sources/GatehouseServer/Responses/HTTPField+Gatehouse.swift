public import HTTPTypes

extension HTTPField.Name {
    // These names are valid tokens, so the failable initializer never fails; the fallback only
    // spares a force unwrap on a request path. `Pragma` lives in GatehouseCore beside the error
    // presentation.
    /// Anti-framing for browsers that predate CSP `frame-ancestors`.
    public static let xFrameOptions = HTTPField.Name("X-Frame-Options") ?? .contentSecurityPolicy
    /// Keeps codes in redirect URLs from leaking to other sites through `Referer`.
    public static let referrerPolicy = HTTPField.Name("Referrer-Policy") ?? .cacheControl
}
