import GatehouseCore
import HummingbirdBcrypt
import NIOPosix

/// Checks a username and password of the built-in user store so that an unknown username costs
/// the same time as a known one (SPEC §9): without a user, the password is verified against a
/// bcrypt hash of the same cost that no password matches, and the answer is still "no".
struct SignInVerifier: Sendable {
    let users: any UserStore

    /// A hash of 32 random bytes nobody keeps, at ``PasswordHasher/cost``. Made once per process,
    /// on the blocking pool (see ``warmUp()``), never on a request's thread.
    private static let unknownUserHash = PasswordHasher.hash(SecretGenerator().make(.csrf))

    /// The user, when the password is theirs.
    func verify(username: String, password: String) async throws -> User? {
        guard let user = try await users.user(username: username) else {
            _ = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: Self.unknownUserHash) }
            return nil
        }
        return try await PasswordHasher.verify(password, hash: user.passwordHash) ? user : nil
    }

    /// Makes the unknown-user hash ahead of the first sign-in, so that even the first unknown
    /// username does not pay for it.
    static func warmUp() {
        Task.detached(priority: .background) {
            _ = try? await NIOThreadPool.singleton.runIfActive { _ = Self.unknownUserHash }
        }
    }
}
