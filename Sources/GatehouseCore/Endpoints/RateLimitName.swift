/// The names of the limits of SPEC §9, as the audit log's `reason` and the metrics' `limit` label.
public enum RateLimitName {
    public static let clientAuthentication = "client_authentication"
    public static let signIn = "sign_in"
    public static let signInAddress = "sign_in_address"
}
