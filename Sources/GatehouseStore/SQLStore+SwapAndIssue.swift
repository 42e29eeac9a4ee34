import GatehouseCore
import PostgresKit
import SQLKit

extension SQLStore {
    /// A redemption or a rotation on PostgreSQL as one statement: `swap`, an `UPDATE … RETURNING`
    /// that claims the code or token, and the inserts of `tokens` for the row it claimed. One
    /// round trip instead of five (BEGIN, the swap, two inserts, COMMIT); a statement is atomic,
    /// so the claim and the new tokens commit together or not at all, as in a unit of work.
    /// - Returns: whether `swap` claimed a row (and the tokens are stored).
    func swapAndIssue(_ swap: SQLQueryString, issuing tokens: IssuedTokens, operation: String) async throws -> Bool {
        var query: SQLQueryString = "WITH claimed AS (\(swap))"
        query.appendLiteral(", new_access AS (INSERT INTO access_tokens (\(Database.accessTokenColumns.joined(separator: ", "))) SELECT ")
        query.appendInterpolation(binds: Database.accessTokenValues(tokens.accessToken))
        query.appendLiteral(" FROM claimed RETURNING 1)")
        if let refresh = tokens.refreshToken {
            query.appendLiteral(", new_refresh AS (INSERT INTO refresh_tokens (\(Database.refreshTokenColumns.joined(separator: ", "))) SELECT ")
            query.appendInterpolation(binds: Database.refreshTokenValues(refresh))
            query.appendLiteral(" FROM claimed RETURNING 1)")
        }
        query.appendLiteral(" SELECT count(*) AS claimed FROM claimed")
        let start = ContinuousClock.now
        defer { Database.recordDuration(of: operation, since: start) }
        do {
            let row = try await database.withSQL { [query] in try await $0.raw(query).first() }
            return try row?.decode(column: "claimed", as: Int.self) == 1
        } catch  where Database.isUniqueViolation(error) {
            let table = (error as? PSQLError)?.serverInfo?[.tableName]
            throw StoreError.duplicate(table == "access_tokens" ? "an access token with this hash" : "a refresh token with this hash")
        } catch  where Database.isForeignKeyViolation(error) {
            throw StoreError.missingReference("the client, user or grant of the issued tokens")
        }
    }
}
