import HTTPTypes
import Hummingbird

/// `GET /metrics`: the Prometheus text exposition format 0.0.4 (SPEC §9).
enum MetricsController {
    static func metrics(_ metrics: GatehouseMetrics) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
    }
}
