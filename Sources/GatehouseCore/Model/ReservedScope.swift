/// The scopes of Gatehouse's own APIs (SPEC §10 "Reserved scopes"): granted only by
/// `client_credentials` to clients created with `gatehouse clients create --admin`; no
/// authorization request, registration or exchange can obtain them.
public enum ReservedScope {
    /// The admin API (`/admin/v1`).
    public static let admin = "gatehouse:admin"
    /// Dynamic client registration in `registration = token` mode.
    public static let register = "gatehouse:register"

    public static let all: ScopeSet = [admin, register]

    public static func contains(_ token: String) -> Bool {
        all.contains(token)
    }
}
