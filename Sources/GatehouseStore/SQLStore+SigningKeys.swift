import Foundation
public import GatehouseCore
import SQLKit

extension SQLStore: SigningKeyStore {
    public func signingKeys() async throws -> [StoredSigningKey] {
        try await rows("SELECT * FROM signing_keys ORDER BY created_at_ms, kid").map { row in
            StoredSigningKey(
                kid: try row.decode(column: "kid", as: String.self),
                algorithm: try row.decode(column: "algorithm", as: String.self),
                sealedPrivateKey: try row.decode(column: "sealed_private_key", as: String.self),
                createdAt: Date(timeIntervalSince1970: TimeInterval(try row.decode(column: "created_at_ms", as: Int.self)) / 1000)
            )
        }
    }

    public func insertSigningKey(_ key: StoredSigningKey) async throws {
        try await insert(
            """
            INSERT INTO signing_keys (kid, algorithm, sealed_private_key, created_at_ms)
            VALUES (\(bind: key.kid), \(bind: key.algorithm), \(bind: key.sealedPrivateKey),
                    \(bind: Int(key.createdAt.timeIntervalSince1970 * 1000)))
            """,
            duplicate: "a signing key with this kid"
        )
    }

    public func replaceSealedPrivateKey(kid: String, sealedPrivateKey: String) async throws {
        _ = try await affectedRows(
            "UPDATE signing_keys SET sealed_private_key = \(bind: sealedPrivateKey) WHERE kid = \(bind: kid) RETURNING kid"
        )
    }
}
