public import Foundation
public import GatehouseCore

extension InMemoryStore {
    /// A challenge with what the table keeps beside it.
    struct StoredChallenge {
        var challenge: InteractionChallenge
        var verifierHash: String?
        var completed = false

        func isLive(at date: Date) -> Bool { date < challenge.expiresAt }
    }
}

extension InMemoryStore: InteractionChallengeStore {
    public func createChallenge(_ challenge: InteractionChallenge) async throws {
        try unit { state in
            guard state.interactionChallenges[challenge.challengeHash] == nil else {
                throw StoreError.duplicate("a challenge with this hash")
            }
            var stored = challenge
            stored.createdAt = challenge.createdAt.toTheSecond
            stored.expiresAt = challenge.expiresAt.toTheSecond
            stored.decision = nil
            state.interactionChallenges[challenge.challengeHash] = StoredChallenge(challenge: stored)
        }
    }

    public func openChallenge(hash: String, kind: InteractionChallenge.Kind, at date: Date) async throws -> InteractionChallenge? {
        read { state in
            guard let stored = state.interactionChallenges[hash], stored.challenge.kind == kind, stored.challenge.decision == nil,
                stored.isLive(at: date.toTheSecond)
            else { return nil }
            return stored.challenge
        }
    }

    public func decideChallenge(
        hash: String, kind: InteractionChallenge.Kind, decision: InteractionDecision, verifierHash: String, at date: Date
    ) async throws -> InteractionChallenge? {
        try unit { state in
            guard var stored = state.interactionChallenges[hash], stored.challenge.kind == kind, stored.challenge.decision == nil,
                stored.isLive(at: date.toTheSecond)
            else { return nil }
            guard !state.interactionChallenges.values.contains(where: { $0.verifierHash == verifierHash }) else {
                throw StoreError.duplicate("a challenge with this verifier")
            }
            stored.challenge.decision = decision
            stored.verifierHash = verifierHash
            state.interactionChallenges[hash] = stored
            return stored.challenge
        }
    }

    public func completeChallenge(verifierHash: String, browserHash: String, at date: Date) async throws -> ChallengeCompletion {
        try unit { state in
            guard let (hash, stored) = state.interactionChallenges.first(where: { $0.value.verifierHash == verifierHash }),
                !stored.completed, stored.isLive(at: date.toTheSecond)
            else { return .unknown }
            guard stored.challenge.browserHash == browserHash else { return .otherBrowser }
            state.interactionChallenges[hash]?.completed = true
            return .completed(stored.challenge)
        }
    }
}
