/// Which grants `GET /admin/v1/grants` lists: `?subject=S`, `?client_id=C`, or both (SPEC §10).
public struct AdminGrantFilter: Sendable, Equatable {
    public var subject: String?
    public var clientID: String?

    public init(subject: String?, clientID: String?) {
        self.subject = subject
        self.clientID = clientID
    }

    /// - Throws: ``OAuthError`` `invalid_request` when neither parameter is given: listing every
    ///   grant of every user is not a question the admin API answers.
    public init(query: RequestParameters) throws(OAuthError) {
        guard query["subject"] != nil || query["client_id"] != nil else {
            throw .invalidRequest("grants listed without subject or client_id", message: .missingParameter)
        }
        self.init(subject: query["subject"], clientID: query["client_id"])
    }
}
