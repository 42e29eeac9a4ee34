public import Foundation
public import GatehouseCore
import SQLKit

extension SQLStore: InteractionChallengeStore {
    public func createChallenge(_ challenge: InteractionChallenge) async throws {
        try await insert(
            """
            INSERT INTO interaction_challenges (challenge_hash, kind, browser_hash, request_query, subject, delegated,
                                                delegated_username, created_at, expires_at)
            VALUES (\(bind: challenge.challengeHash), \(bind: challenge.kind.rawValue), \(bind: challenge.browserHash),
                    \(bind: challenge.requestQuery), \(bind: challenge.subject), \(bind: challenge.delegation != nil),
                    \(bind: challenge.delegation?.username), \(bind: challenge.createdAt.unixSeconds), \(bind: challenge.expiresAt.unixSeconds))
            """,
            duplicate: "a challenge with this hash"
        )
    }

    public func openChallenge(hash: String, kind: InteractionChallenge.Kind, at date: Date) async throws -> InteractionChallenge? {
        try await rows(
            """
            SELECT * FROM interaction_challenges
            WHERE challenge_hash = \(bind: hash) AND kind = \(bind: kind.rawValue) AND decided_at IS NULL
              AND expires_at > \(bind: date.unixSeconds)
            """
        ).first.map(Self.challenge(from:))
    }

    /// One statement: of concurrent decisions exactly one finds the row undecided.
    public func decideChallenge(
        hash: String, kind: InteractionChallenge.Kind, decision: InteractionDecision, verifierHash: String, at date: Date
    ) async throws -> InteractionChallenge? {
        let encoded = String(decoding: try JSONEncoder().encode(decision), as: UTF8.self)
        let seconds = date.unixSeconds
        let row = try await database.withSQL { sql in
            try await sql.raw(
                """
                UPDATE interaction_challenges
                SET decision = \(bind: encoded), verifier_hash = \(bind: verifierHash), decided_at = \(bind: seconds)
                WHERE challenge_hash = \(bind: hash) AND kind = \(bind: kind.rawValue) AND decided_at IS NULL
                  AND expires_at > \(bind: seconds)
                RETURNING *
                """
            ).first()
        }
        return try row.map(Self.challenge(from:))
    }

    /// One statement decides; a second, only when it found nothing, tells another browser's live
    /// verifier from a dead one.
    public func completeChallenge(verifierHash: String, browserHash: String, at date: Date) async throws -> ChallengeCompletion {
        let seconds = date.unixSeconds
        let row = try await database.withSQL { sql in
            try await sql.raw(
                """
                UPDATE interaction_challenges SET completed_at = \(bind: seconds)
                WHERE verifier_hash = \(bind: verifierHash) AND browser_hash = \(bind: browserHash) AND completed_at IS NULL
                  AND expires_at > \(bind: seconds)
                RETURNING *
                """
            ).first()
        }
        if let row { return .completed(try Self.challenge(from: row)) }
        let live = try await rows(
            """
            SELECT challenge_hash FROM interaction_challenges
            WHERE verifier_hash = \(bind: verifierHash) AND completed_at IS NULL AND expires_at > \(bind: seconds)
            """
        )
        return live.isEmpty ? .unknown : .otherBrowser
    }

    private static func challenge(from row: any SQLRow) throws -> InteractionChallenge {
        let kind = try row.decode(column: "kind", as: String.self)
        guard let parsedKind = InteractionChallenge.Kind(rawValue: kind) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "challenge of unknown kind \(kind)"))
        }
        let decision = try row.decode(column: "decision", as: String?.self).map {
            try JSONDecoder().decode(InteractionDecision.self, from: Data($0.utf8))
        }
        return InteractionChallenge(
            challengeHash: try row.decode(column: "challenge_hash", as: String.self),
            kind: parsedKind,
            browserHash: try row.decode(column: "browser_hash", as: String.self),
            requestQuery: try row.decode(column: "request_query", as: String.self),
            subject: try row.decode(column: "subject", as: String?.self),
            delegation: try row.decode(column: "delegated", as: Bool.self)
                ? Grant.Delegation(username: try row.decode(column: "delegated_username", as: String?.self)) : nil,
            createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int.self)),
            expiresAt: Date(unixSeconds: try row.decode(column: "expires_at", as: Int.self)),
            decision: decision
        )
    }
}
