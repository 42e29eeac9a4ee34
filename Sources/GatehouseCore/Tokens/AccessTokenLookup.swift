public import Foundation

/// Decides whether an access token of this server is active, the one rule introspection, the
/// resource middleware's store mode and token exchange share.
///
/// A token is active when it is neither revoked nor expired and its grant, if any, is not revoked
/// (RFC 7662 §2.2). A token issued by token exchange (RFC 8693) is active only while its subject
/// token is too: revoking the subject token, its grant, or every token of its client or user ends
/// the tokens exchanged for it without touching their rows.
public struct AccessTokenLookup: Sendable {
    /// An active access token.
    public struct Active: Sendable {
        public let record: AccessTokenRecord
        /// Its grant, when it has one.
        public let grant: Grant?
        /// Its `sub`: the user, the client itself for `client_credentials` (RFC 9068 §2.2), or for an
        /// exchanged token the subject token's.
        public let subject: String
    }

    /// How many subject tokens deep a chain of exchanges is followed; a longer one is inactive.
    public static let maximumChain = 8

    private let accessTokens: any AccessTokenStore
    private let grants: any GrantStore

    public init(accessTokens: any AccessTokenStore, grants: any GrantStore) {
        self.accessTokens = accessTokens
        self.grants = grants
    }

    /// The active access token with this hash, or `nil` when there is none (unknown, revoked,
    /// expired, its grant or subject token gone).
    public func active(hash: String, at date: Date) async throws -> Active? {
        guard let record = try await accessTokens.accessToken(hash: hash) else { return nil }
        return try await active(record, at: date)
    }

    /// `record` if it is active at `date`.
    public func active(_ record: AccessTokenRecord, at date: Date) async throws -> Active? {
        try await active(record, at: date, depth: 0)
    }

    private func active(_ record: AccessTokenRecord, at date: Date, depth: Int) async throws -> Active? {
        guard record.isActive(at: date) else { return nil }
        var grant: Grant?
        if let grantID = record.grantID {
            guard let live = try await grants.grant(id: grantID), live.revokedAt == nil else { return nil }
            grant = live
        }
        guard let subjectTokenHash = record.subjectTokenHash else {
            return Active(record: record, grant: grant, subject: record.userID ?? record.clientID)
        }
        guard depth < Self.maximumChain, let subjectRecord = try await accessTokens.accessToken(hash: subjectTokenHash),
            let subjectToken = try await active(subjectRecord, at: date, depth: depth + 1)
        else { return nil }
        return Active(record: record, grant: grant, subject: subjectToken.subject)
    }
}
