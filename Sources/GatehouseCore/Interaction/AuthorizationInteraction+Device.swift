/// The request query a login or consent challenge of the device flow keeps: the user code it is
/// for, instead of an authorization request. The browser comes back to `/device` with it.
enum DeviceChallengeQuery {
    static let parameter = "device_user_code"

    static func make(userCode normalized: String) -> String {
        "\(parameter)=\(normalized)"
    }

    /// The normalized user code of a device challenge's query; `nil` for an authorization request's.
    static func userCode(in query: String) -> String? {
        guard query.hasPrefix(parameter + "=") else { return nil }
        return UserCode.normalize(String(query.dropFirst(parameter.count + 1)))
    }
}

extension AuthorizationInteraction {
    /// This interaction, also answering the provider's app for the delegated login and consent of
    /// the device flow (SPEC §10, §11).
    public func withDeviceFlow(_ verification: DeviceVerification) -> Self {
        var copy = self
        copy.devices = verification
        return copy
    }

    /// A device challenge's request as the admin API shows it: the device's client and scope.
    /// - Returns: `nil` for a challenge of the authorization endpoint.
    /// - Throws: `not_found` when the device request is no longer pending.
    func deviceRequest(of challenge: InteractionChallenge) async throws -> AuthorizationRequest? {
        guard let userCode = DeviceChallengeQuery.userCode(in: challenge.requestQuery) else { return nil }
        guard let devices, let pending = try await devices.pending(userCode: userCode) else {
            throw Self.notFound("the device request of the \(challenge.kind.rawValue) challenge is no longer pending")
        }
        return AuthorizationRequest(
            client: pending.client, redirectURI: "", redirectURIWasSent: false, scope: pending.scope, state: nil, codeChallenge: nil,
            uiLocales: nil
        )
    }
}
