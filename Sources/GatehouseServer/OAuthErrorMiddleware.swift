import GatehouseCore
import HTTPTypes
import Hummingbird
import Logging

/// Turns every failure on an OAuth endpoint into an RFC 6749 error response.
///
/// An ``OAuthError`` is the client's mistake: its hint is logged, its fixed text is sent. Anything
/// else is the server's: a database that does not answer is `503 temporarily_unavailable` with
/// `Retry-After`; the rest is logged in full and answered with a bare `server_error`, so no
/// internal detail (SQL, paths, stack) reaches the client.
struct OAuthErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let responder: OAuthResponder

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as OAuthError {
            context.logger.info(
                "oauth request refused",
                metadata: ["error": "\(error.code)", "hint": "\(error.hint)", "path": "\(request.uri.path)"]
            )
            return responder.response(for: error, acceptLanguage: request.headers[.acceptLanguage])
        } catch StoreError.unavailable(let retryAfter) {
            // SPEC §9: a busy or unreachable database is the server's trouble, said quickly and
            // with a hint of when to come back, never a 500.
            context.logger.warning("database unavailable", metadata: ["path": "\(request.uri.path)"])
            var fields = HTTPFields()
            fields[.retryAfter] = String(retryAfter)
            return responder.response(
                for: OAuthError(.temporarilyUnavailable, hint: "database unavailable", headerFields: fields),
                acceptLanguage: request.headers[.acceptLanguage]
            )
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return responder.response(
                for: .bodyTooLarge(limit: responder.configuration.maxBodyBytes),
                acceptLanguage: request.headers[.acceptLanguage]
            )
        } catch {
            context.logger.error("oauth request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            return responder.response(
                for: .serverError("unexpected failure"),
                acceptLanguage: request.headers[.acceptLanguage]
            )
        }
    }
}
