import GatehouseCore
import HummingbirdBcrypt
import NIOPosix

/// Checks a username and password of the built-in user store so that an unknown username costs
/// the same time as a known one (SPEC §9): without a user, the password is verified against a
/// bcrypt hash of the same cost that no password matches, and the answer is still "no".
struct SignInVerifier: PasswordVerifier {
    let users: any UserStore

    /// A bcrypt hash, at ``PasswordHasher/cost`` (12), of 32 random bytes that were thrown away.
    /// A constant rather than one made at start: making it costs a few hundred milliseconds of CPU
    /// that a starting server should not spend.
    static let unknownUserHash = "$2b$12$QIEONRSmwT/Cq66YCD5v6O2aSvbsZer0pgr209nF0ZBHrc39Bmaqu"

    /// The user, when the password is theirs.
    func verify(username: String, password: String) async throws -> User? {
        guard let user = try await users.user(username: username) else {
            _ = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: Self.unknownUserHash) }
            return nil
        }
        return try await PasswordHasher.verify(password, hash: user.passwordHash) ? user : nil
    }
}
