extension Migration {
    /// Two random index pages fewer to write on every refresh rotation: the parent indexes
    /// served only a retry within the reuse interval, which now finds the earlier pair among its
    /// grant's tokens (`grant_id` is indexed, and a grant has few).
    static let parentIndexesDropped = Migration(
        version: 13,
        name: "parent token indexes dropped",
        statements: [
            "DROP INDEX IF EXISTS access_tokens_parent",
            "DROP INDEX IF EXISTS refresh_tokens_parent",
        ]
    )
}
