public import Foundation

/// The login and consent challenges of SPEC §10, shared by every instance. Deciding and completing
/// are each one atomic compare-and-swap, so a challenge is decided once and completed once, however
/// many requests race for it on however many instances.
public protocol InteractionChallengeStore: Sendable {
    /// - Throws: ``StoreError/duplicate(_:)`` when the hash is taken.
    func createChallenge(_ challenge: InteractionChallenge) async throws
    /// The challenge of `kind` while it is undecided and unexpired at `date`.
    func openChallenge(hash: String, kind: InteractionChallenge.Kind, at date: Date) async throws -> InteractionChallenge?
    /// Records the app's decision and the hash of the verifier `redirect_to` carries, if the
    /// challenge of `kind` is still undecided and unexpired.
    /// - Returns: the decided challenge, or `nil` when there was nothing to decide.
    func decideChallenge(
        hash: String, kind: InteractionChallenge.Kind, decision: InteractionDecision, verifierHash: String, at date: Date
    ) async throws -> InteractionChallenge?
    /// Completes a decided, unexpired challenge in the browser that started it, once.
    func completeChallenge(verifierHash: String, browserHash: String, at date: Date) async throws -> ChallengeCompletion
}

/// What coming back with a verifier found.
public enum ChallengeCompletion: Sendable, Hashable {
    case completed(InteractionChallenge)
    /// The verifier is live but belongs to another browser; it stays usable by its own.
    case otherBrowser
    /// Unknown, already completed, or expired.
    case unknown
}
