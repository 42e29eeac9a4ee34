/// `POST /admin/v1/tokens/revoke`: `{"client_id": C}` or `{"subject": S}`, exactly one (SPEC §10).
public enum AdminRevocationTarget: Decodable, Sendable, Equatable {
    case client(id: String)
    /// The `sub` of the tokens: a user's id.
    case subject(String)

    private enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case subject
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let clientID = try container.decodeIfPresent(String.self, forKey: .clientID)
        let subject = try container.decodeIfPresent(String.self, forKey: .subject)
        switch (clientID, subject) {
        case (let clientID?, nil) where !clientID.isEmpty: self = .client(id: clientID)
        case (nil, let subject?) where !subject.isEmpty: self = .subject(subject)
        default: throw OAuthError.invalidRequest("give exactly one of client_id and subject", message: .missingParameter)
        }
    }
}
