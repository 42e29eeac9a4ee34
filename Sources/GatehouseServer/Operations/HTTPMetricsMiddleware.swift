import HTTPTypes
import Hummingbird

/// Counts and times every request by its route pattern (`context.endpointPath`, e.g.
/// `/oauth2/token`), never the raw path, so a scan of random URLs adds one series, `unmatched`.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: GatehouseMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let method = Self.method(request.method)
        do {
            let response = try await next(request, context)
            // The router sets the endpoint path on a shared box while it resolves the route. Every
            // body here is already in memory, so the time to here is the time of the request.
            metrics.recordRequest(
                route: context.endpointPath ?? "unmatched", method: method, status: response.status.code, duration: .now - start
            )
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.recordRequest(route: context.endpointPath ?? "unmatched", method: method, status: status, duration: .now - start)
            throw error
        }
    }

    /// The standard methods by name; anything else is one label value, `other`.
    private static func method(_ method: HTTPRequest.Method) -> String {
        switch method {
        case .get, .head, .post, .put, .patch, .delete, .options: method.rawValue
        default: "other"
        }
    }
}
