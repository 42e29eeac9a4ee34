import HummingbirdBcrypt
import NIOPosix

/// bcrypt for user passwords: people choose them, so they need a slow, salted hash. Server-made
/// secrets use `SecretHasher` instead.
public enum PasswordHasher {
    /// bcrypt's cost factor; 12 takes a few hundred milliseconds here, which a login can afford.
    public static let cost: UInt8 = 12

    public static func hash(_ password: String) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// Verifies on NIO's blocking-work pool: a few hundred milliseconds of bcrypt must not hold
    /// one of the few threads that run every other request.
    public static func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
