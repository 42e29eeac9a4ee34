public import Foundation

/// One active grant as the admin API lists it: an "authorized application" of a user (SPEC §10).
public struct GrantSummary: Sendable, Hashable {
    public var id: String
    public var clientID: String
    public var clientName: String
    /// The user's id, the `sub` of the grant's tokens.
    public var subject: String?
    public var scope: ScopeSet
    public var createdAt: Date

    public init(id: String, clientID: String, clientName: String, subject: String?, scope: ScopeSet, createdAt: Date) {
        self.id = id
        self.clientID = clientID
        self.clientName = clientName
        self.subject = subject
        self.scope = scope
        self.createdAt = createdAt
    }
}

/// What an operator sees of grants and takes back: the admin API's "authorized applications".
public protocol GrantAdministrationStore: Sendable {
    /// The active grants of a user, of a client, or of both (at least one filter is given), oldest
    /// first. A grant is active when it is not revoked and something of it still works at `date`:
    /// a live access or refresh token, or a code not yet redeemed.
    func activeGrants(subject: String?, clientID: String?, at date: Date) async throws -> [GrantSummary]

    /// Takes an active grant back as one unit: revokes the grant and every token descended from it,
    /// drops its codes not yet redeemed, and forgets the user's consent to the client, so that the
    /// next authorization asks again.
    /// - Returns: how many tokens were revoked, or `nil` when no grant has this id or it was revoked
    ///   already.
    func withdrawGrant(id: String, at date: Date) async throws -> Int?
}
