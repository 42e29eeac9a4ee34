extension ServerConfiguration {
    /// Gatehouse's own protected resource, `GET /api/me` (SPEC §10): `{issuer}/api`.
    public var apiResource: String { issuer + "/api" }

    /// The resources a `resource` parameter may name: those of `resources`, and Gatehouse's own
    /// ``apiResource``. Its RFC 9728 metadata names it, so a client that discovers it there can ask
    /// for it without the operator listing it.
    public var knownResources: Set<String> { Set(resources).union([apiResource]) }
}
