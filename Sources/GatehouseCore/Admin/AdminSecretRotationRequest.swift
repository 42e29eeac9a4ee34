/// `POST /admin/v1/clients/{id}/secret`: `{"grace_seconds": G}`, G defaulting to 0 (SPEC §10).
public struct AdminSecretRotationRequest: Decodable, Sendable {
    /// How long the replaced secret keeps working, in seconds.
    public let graceSeconds: Int

    private enum CodingKeys: String, CodingKey {
        case graceSeconds = "grace_seconds"
    }

    public init(graceSeconds: Int = 0) {
        self.graceSeconds = graceSeconds
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        graceSeconds = try container.decodeIfPresent(Int.self, forKey: .graceSeconds) ?? 0
    }
}
