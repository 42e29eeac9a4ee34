import HTTPTypes

extension EndpointPath {
    /// RFC 8628 §3.1: the device authorization endpoint (SPEC §11).
    public static let deviceAuthorization = Self("/oauth2/device_authorization", [.post])
    /// RFC 8628 §3.3: the verification page, `verification_uri` (SPEC §11).
    public static let device = Self("/device", [.get, .post])
}
