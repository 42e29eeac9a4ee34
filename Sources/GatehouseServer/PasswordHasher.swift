import HummingbirdBcrypt

/// bcrypt for user passwords: people choose them, so they need a slow, salted hash. Server-made
/// secrets use ``GatehouseCore/SecretHasher`` instead.
public enum PasswordHasher {
    /// bcrypt's cost factor; 12 takes a few hundred milliseconds here, which a login can afford.
    public static let cost: UInt8 = 12

    public static func hash(_ password: String) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    public static func verify(_ password: String, hash: String) -> Bool {
        Bcrypt.verify(password, hash: hash)
    }
}
