public import Foundation

/// What the device authorization grant (RFC 8628) needs of the store. Every state change is one
/// compare-and-swap, so that several instances on one database agree on the polling state and on
/// the decision, and a redemption consumes the device code and stores its grant and tokens as one
/// unit (SPEC §9 "Atomic units of work").
public protocol DeviceCodeStore: Sendable {
    /// Stores a new, pending request.
    /// - Throws: ``StoreError/duplicate(_:)`` when the device or user code hash is taken,
    ///   ``StoreError/missingReference(_:)`` when the client is gone.
    func createDeviceAuthorization(_ authorization: DeviceAuthorization) async throws

    /// The pending request with this user code that has not expired at `date`, if any.
    func pendingDeviceAuthorization(userCodeHash: String, at date: Date) async throws -> DeviceAuthorization?

    /// Records the user's decision if, and only if, the request is still pending and unexpired.
    /// - Returns: whether this call decided it; of concurrent calls exactly one returns `true`.
    func decideDeviceAuthorization(userCodeHash: String, decision: DeviceDecision, at date: Date) async throws -> Bool

    /// Records a token request of `clientID` for the device code in one statement: the poll time,
    /// and, when a pending request is polled sooner than its interval after the previous poll, an
    /// interval grown by `slowDownBy` seconds (RFC 8628 §3.5).
    /// - Returns: `nil` when no request of this client has this device code.
    func pollDeviceAuthorization(deviceCodeHash: String, clientID: String, at date: Date, slowDownBy: Int) async throws -> DevicePoll?

    /// Marks an approved, unexpired request of `clientID` redeemed and stores `grant` and `tokens`,
    /// as one unit: when anything fails nothing is written and the request stays redeemable.
    /// - Returns: whether this call redeemed it; `false` writes nothing. Of concurrent calls
    ///   exactly one returns `true`.
    /// - Throws: ``StoreError/missingReference(_:)`` when the client is gone.
    func redeemDeviceAuthorization(
        deviceCodeHash: String, clientID: String, grant: Grant, issuing tokens: IssuedTokens, at date: Date
    ) async throws -> Bool
}
